// Node, CommonJS: `require` of the package.
const wg = require('webgrad');

import('./compute.js').then(async ({ compute }) => console.log(JSON.stringify(await compute(wg, 'cpu'))));
