// HMAC and key derivation (PBKDF2, scrypt, HKDF) with fixed inputs, sync and async.
const crypto = require('crypto');
const util = require('util');

for (const alg of ['sha1', 'sha256', 'sha512']) {
  console.log('hmac', alg, crypto.createHmac(alg, 'secret-key').update('message to sign').digest('hex'));
}
console.log('hmac empty key', crypto.createHmac('sha256', '').update('').digest('base64'));
const key = crypto.createSecretKey(Buffer.from('0123456789abcdef'));
console.log('hmac keyobject', key.type, key.symmetricKeySize, crypto.createHmac('sha256', key).update('x').digest('hex'));

console.log('pbkdf2', crypto.pbkdf2Sync('password', 'salt', 1, 20, 'sha1').toString('hex'));
console.log('pbkdf2', crypto.pbkdf2Sync('password', 'salt', 4096, 32, 'sha256').toString('hex'));
console.log('scrypt', crypto.scryptSync('password', 'NaCl', 64, { N: 1024, r: 8, p: 16 }).toString('hex'));
console.log('hkdf', Buffer.from(crypto.hkdfSync('sha256', 'ikm', 'salt', 'info', 42)).toString('hex'));

const a = Buffer.from('same-length-1');
const b = Buffer.from('same-length-2');
console.log('timingSafeEqual', crypto.timingSafeEqual(a, a), crypto.timingSafeEqual(a, b));

async function main() {
  const pbkdf2 = util.promisify(crypto.pbkdf2);
  const scrypt = util.promisify(crypto.scrypt);
  const [p, s] = await Promise.all([
    pbkdf2('correct horse', 'battery staple', 10000, 16, 'sha512'),
    scrypt('correct horse', 'battery staple', 16),
  ]);
  console.log('async pbkdf2', p.toString('hex'));
  console.log('async scrypt', s.toString('hex'));
  const derived = await new Promise((res, rej) =>
    crypto.hkdf('sha512', 'key', 'salt', 'info', 16, (e, k) => (e ? rej(e) : res(k))));
  console.log('async hkdf', Buffer.from(derived).toString('hex'));
}
main();
