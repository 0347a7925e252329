// Symmetric ciphers with fixed keys and IVs: AES-CBC/CTR/GCM and ChaCha20-Poly1305 round trips.
const crypto = require('crypto');

const key = crypto.createHash('sha256').update('fixed key material').digest();
const iv16 = Buffer.from('000102030405060708090a0b0c0d0e0f', 'hex');
const iv12 = iv16.subarray(0, 12);
const plain = 'Attack at dawn! '.repeat(5) + 'ünïcödé';

for (const alg of ['aes-256-cbc', 'aes-256-ctr', 'aes-128-cbc', 'aes-256-ecb']) {
  const k = alg.startsWith('aes-128') ? key.subarray(0, 16) : key;
  const iv = alg.endsWith('ecb') ? null : iv16;
  const c = crypto.createCipheriv(alg, k, iv);
  const enc = Buffer.concat([c.update(plain, 'utf8'), c.final()]);
  const d = crypto.createDecipheriv(alg, k, iv);
  const dec = Buffer.concat([d.update(enc), d.final()]).toString('utf8');
  console.log(alg, enc.length, enc.toString('base64').slice(0, 44), dec === plain);
}
for (const alg of ['aes-256-gcm', 'chacha20-poly1305']) {
  const opts = alg.startsWith('chacha') ? { authTagLength: 16 } : undefined;
  const c = crypto.createCipheriv(alg, key, iv12, opts);
  c.setAAD(Buffer.from('header'), alg.startsWith('chacha') ? { plaintextLength: Buffer.byteLength(plain) } : undefined);
  const enc = Buffer.concat([c.update(plain, 'utf8'), c.final()]);
  const tag = c.getAuthTag();
  console.log(alg, enc.toString('hex').slice(0, 48), tag.toString('hex'));
  const d = crypto.createDecipheriv(alg, key, iv12, opts);
  d.setAAD(Buffer.from('header'), alg.startsWith('chacha') ? { plaintextLength: enc.length } : undefined);
  d.setAuthTag(tag);
  console.log('  roundtrip', Buffer.concat([d.update(enc), d.final()]).toString() === plain);
  const bad = crypto.createDecipheriv(alg, key, iv12, opts);
  bad.setAAD(Buffer.from('HEADER'), alg.startsWith('chacha') ? { plaintextLength: enc.length } : undefined);
  bad.setAuthTag(tag);
  bad.update(enc);
  try { bad.final(); console.log('  tampered accepted!'); } catch (e) { console.log('  tampered:', e.message); }
}
try {
  crypto.createCipheriv('aes-256-cbc', key.subarray(0, 10), iv16);
} catch (e) {
  console.log('bad key:', e.code);
}
const r = crypto.randomBytes(32);
console.log('randomBytes', r.length, Buffer.isBuffer(r));
console.log('randomUUID', /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/.test(crypto.randomUUID()));
const n = crypto.randomInt(10, 20);
console.log('randomInt in range', n >= 10 && n < 20);
const arr = new Uint32Array(8);
crypto.getRandomValues(arr);
console.log('getRandomValues', arr.length);
console.log('ciphers', ['aes-256-gcm', 'chacha20-poly1305', 'aes-128-cbc'].map((c) => crypto.getCiphers().includes(c)));
