// Message digests of fixed inputs, in several encodings, incremental and one-shot.
const crypto = require('crypto');

const inputs = ['', 'abc', 'The quick brown fox jumps over the lazy dog', 'ünïcödé ✓', 'x'.repeat(100000)];
for (const alg of ['md5', 'sha1', 'sha224', 'sha256', 'sha384', 'sha512', 'sha512-256', 'sha3-256', 'sha3-512', 'blake2b512', 'blake2s256', 'ripemd160']) {
  for (const input of inputs) {
    console.log(alg.padEnd(10), String(input.length).padStart(6), crypto.createHash(alg).update(input).digest('hex'));
  }
}
const h = crypto.createHash('sha256');
for (let i = 0; i < 1000; i++) h.update(`chunk ${i};`);
const copy = h.copy();
copy.update('more');
console.log('incremental', h.digest('base64'), copy.digest('base64url'));
console.log('buffer input', crypto.createHash('sha1').update(Buffer.from([0, 1, 2, 255])).digest('hex'));
console.log('latin1 vs utf8', crypto.createHash('md5').update('é', 'latin1').digest('hex'), crypto.createHash('md5').update('é', 'utf8').digest('hex'));
console.log('shake256', crypto.createHash('shake256', { outputLength: 16 }).update('abc').digest('hex'));
console.log('hash()', typeof crypto.hash === 'function' ? crypto.hash('sha1', 'abc') : 'n/a');
console.log('has', ['sha256', 'md5', 'sha3-256'].map((a) => crypto.getHashes().includes(a)));
