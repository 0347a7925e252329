// Modules: CommonJS files written to a temporary directory and required (cache, cycles, JSON,
// module.exports vs exports), an ES module loaded with import(), createRequire.
const fs = require('fs');
const os = require('os');
const path = require('path');
const { createRequire } = require('module');
const { pathToFileURL } = require('url');

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'x-'));
const write = (name, text) => fs.writeFileSync(path.join(root, name), text);
write('counter.js', 'let n = 0; module.exports = { inc: () => ++n, get n() { return n; } };');
write('a.js', "exports.name = 'a'; const b = require('./b'); exports.seenB = b.name; exports.bSawA = b.sawA;");
write('b.js', "exports.name = 'b'; const a = require('./a'); exports.sawA = Object.keys(a).join(',');");
write('data.json', JSON.stringify({ list: [1, 2, 3], nested: { ok: true } }));
fs.mkdirSync(path.join(root, 'pkg', 'lib'), { recursive: true });
write('pkg/package.json', JSON.stringify({ name: 'pkg', main: 'lib/main.js' }));
write('pkg/lib/main.js', "module.exports = (x) => `pkg says ${x} from ${require('path').basename(__dirname)}`;");
write('esm.mjs', "export const value = 42; export default function hello(n) { return `hello ${n}`; } export const meta = import.meta.url.endsWith('esm.mjs');");
write('throws.js', "throw new Error('module init failed');");

async function main() {
  const req = createRequire(path.join(root, 'index.js'));
  const c1 = req('./counter'), c2 = req('./counter.js');
  c1.inc(); c2.inc();
  console.log('cached', c1 === c2, c1.n);
  const a = req('./a');
  console.log('cycle', a.name, a.seenB, a.bSawA);
  console.log('json', req('./data.json'), 'pkg', req('./pkg')('hi'));
  console.log('resolve', path.relative(root, req.resolve('./pkg')), Object.keys(req.cache).map((k) => path.relative(root, k)).sort());
  try { req('./missing'); } catch (e) { console.log('missing', e.code); }
  try { req('./throws'); } catch (e) { console.log('init error', e.message, Object.keys(req.cache).some((k) => k.endsWith('throws.js'))); }
  const m = await import(pathToFileURL(path.join(root, 'esm.mjs')).href);
  console.log('esm', m.value, m.default(3), m.meta, Object.keys(m).sort());
  const builtin = await import('node:path');
  console.log('import builtin', builtin.default.join('a', 'b'), typeof builtin.join);
  delete req.cache[req.resolve('./counter')];
  console.log('after cache delete', req('./counter').n);
}
main().finally(() => fs.rmSync(root, { recursive: true, force: true }));
