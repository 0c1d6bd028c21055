// Bad input and lifetimes in the model layer: layers, losses, optimizers, schedulers, fit and state
// dicts check their arguments, refuse use after dispose, and serialise concurrent fits.
// Shared by the Node and Chromium harnesses.

export const modelChecks = {};
