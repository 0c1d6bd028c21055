// Node, ES modules: `import` of the package.
import * as wg from 'webgrad';
import { compute } from './compute.js';

console.log(JSON.stringify(await compute(wg, 'cpu')));
