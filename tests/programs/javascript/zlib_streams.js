// Compression streams: pipeline through gzip and gunzip, brotli streams, web CompressionStream.
const zlib = require('zlib');
const { pipeline } = require('stream/promises');
const { Readable, Writable } = require('stream');
const crypto = require('crypto');

function* lines() {
  for (let i = 0; i < 5000; i++) yield `${i.toString(36)},${(i * 7919) % 10007},${i % 3 === 0 ? 'fizz' : 'plain'}\n`;
}
function sink(parts) {
  return new Writable({ write(chunk, enc, cb) { parts.push(chunk); cb(); } });
}

async function main() {
  const gzParts = [];
  await pipeline(Readable.from(lines()), zlib.createGzip({ level: 6, chunkSize: 4096 }), sink(gzParts));
  const gz = Buffer.concat(gzParts);
  console.log('gzipped', gz.length, crypto.createHash('sha256').update(gz).digest('hex').slice(0, 16));
  const outParts = [];
  await pipeline(Readable.from([gz.subarray(0, 1000), gz.subarray(1000)]), zlib.createGunzip(), sink(outParts));
  const out = Buffer.concat(outParts).toString();
  console.log('restored', out.length, out.split('\n').length - 1, out.slice(0, 30).split('\n'));

  const brParts = [];
  await pipeline(Readable.from([Buffer.from(out)]), zlib.createBrotliCompress(), zlib.createBrotliDecompress(), sink(brParts));
  console.log('brotli stream roundtrip', Buffer.concat(brParts).toString() === out);

  const cs = new Blob([out]).stream().pipeThrough(new CompressionStream('deflate'));
  const compressed = Buffer.from(await new Response(cs).arrayBuffer());
  console.log('CompressionStream deflate', compressed.length, zlib.inflateSync(compressed).toString() === out);
  const ds = new Blob([zlib.gzipSync('web streams')]).stream().pipeThrough(new DecompressionStream('gzip'));
  console.log('DecompressionStream', await new Response(ds).text());

  const bad = zlib.createGunzip();
  bad.on('error', (e) => console.log('stream error', e.code));
  bad.end(Buffer.from('garbage that is not gzip'));
  await new Promise((r) => bad.on('close', r));
}
main().then(() => console.log('done'));
