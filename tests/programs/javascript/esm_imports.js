// input-type: module
// An ES module: static imports of built-ins (default, named, namespace, node: scheme),
// import.meta, and module-level strictness and bindings.
import fs, { readFileSync } from 'fs';
import * as path from 'node:path';
import { createHash } from 'node:crypto';
import EventEmitter, { once } from 'events';
import { format } from 'util';

console.log(typeof fs.readFileSync, readFileSync === fs.readFileSync);
console.log(path.join('a', 'b', '..', 'c.txt'), path.extname('x.tar.gz'));
console.log(createHash('sha256').update('module').digest('hex'));
console.log(import.meta.url.endsWith('/[eval1]'), typeof import.meta.resolve);
console.log(typeof require, typeof module, typeof exports, typeof __filename);
console.log((function () { return this; })() === undefined ? 'strict' : 'sloppy');
const emitter = new EventEmitter();
setTimeout(() => emitter.emit('ready', 42), 10);
const [value] = await once(emitter, 'ready');
console.log(format('%s after %d ms: %o', 'ready', 10, { value }));
export const answer = value;
