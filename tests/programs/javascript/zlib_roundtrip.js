// zlib: gzip, deflate, raw deflate and brotli round trips of fixed inputs, their compressed
// sizes and bytes at fixed levels, checksums, and errors on corrupt input.
const zlib = require('zlib');

const text = Buffer.from(Array.from({ length: 400 }, (_, i) => `record ${i}: ${'abcdefghij'.slice(i % 10)} ${i * i}\n`).join(''));
const binary = Buffer.alloc(65536);
for (let i = 0; i < binary.length; i++) binary[i] = (i * 2654435761) >>> 24;
for (const [name, input] of [['text', text], ['binary', binary], ['empty', Buffer.alloc(0)]]) {
  for (const level of [1, 6, 9]) {
    const gz = zlib.gzipSync(input, { level });
    const df = zlib.deflateSync(input, { level });
    const raw = zlib.deflateRawSync(input, { level });
    console.log(name, input.length, 'level', level, 'gzip', gz.length, 'deflate', df.length, 'raw', raw.length,
      zlib.gunzipSync(gz).equals(input), zlib.inflateSync(df).equals(input), zlib.inflateRawSync(raw).equals(input));
  }
  const br = zlib.brotliCompressSync(input, { params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 5 } });
  console.log(name, 'brotli q5', br.length, zlib.brotliDecompressSync(br).equals(input));
}
console.log('gzip bytes', zlib.gzipSync('hello hello hello').toString('hex'));
console.log('deflate bytes', zlib.deflateSync('hello hello hello').toString('base64'));
console.log('unzip auto', zlib.unzipSync(zlib.gzipSync('auto')).toString(), zlib.unzipSync(zlib.deflateSync('detect')).toString());
console.log('crc32', typeof zlib.crc32 === 'function' ? zlib.crc32('hello') : 'n/a');
try {
  zlib.gunzipSync(Buffer.from('not gzip at all'));
} catch (e) {
  console.log('corrupt:', e.code, e.errno, e.message);
}
try {
  zlib.inflateSync(zlib.deflateSync(text).subarray(0, 50));
} catch (e) {
  console.log('truncated:', e.code, e.message);
}
console.log('versions', typeof process.versions.zlib, typeof process.versions.brotli);
zlib.gzip(text, (err, gz) => {
  zlib.gunzip(gz, (err2, back) => console.log('async roundtrip', err, err2, back.equals(text), gz.length));
});
