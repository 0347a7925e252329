// input-type: module
// Dynamic import() of built-ins and of a module file the program writes itself (relative to its
// own directory, resolved by node's loader), plus a failed import caught.
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const { deflateSync, inflateSync } = await import('node:zlib');
console.log(inflateSync(deflateSync(Buffer.from('round trip'))).toString());
const dir = mkdtempSync(join(tmpdir(), 'esm-'));
try {
  writeFileSync(join(dir, 'lib.mjs'), 'export const twice = (x) => 2 * x;\nexport default "lib";\n');
  const lib = await import(pathToFileURL(join(dir, 'lib.mjs')).href);
  console.log(lib.default, lib.twice(21), Object.keys(lib).sort());
  try {
    await import(pathToFileURL(join(dir, 'missing.mjs')).href);
  } catch (error) {
    console.log('missing module:', error.code);
  }
} finally {
  rmSync(dir, { recursive: true });
}
