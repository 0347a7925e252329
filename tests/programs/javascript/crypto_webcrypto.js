// Web Crypto (crypto.subtle) with fixed keys: digest, HMAC, AES-GCM, PBKDF2, ECDSA round trip.
const { subtle } = globalThis.crypto;
const enc = new TextEncoder();
const hex = (b) => Buffer.from(b).toString('hex');

async function main() {
  for (const alg of ['SHA-1', 'SHA-256', 'SHA-384', 'SHA-512']) {
    console.log(alg, hex(await subtle.digest(alg, enc.encode('web crypto'))));
  }
  const hmacKey = await subtle.importKey('raw', enc.encode('hmac secret'), { name: 'HMAC', hash: 'SHA-256' }, true, ['sign', 'verify']);
  const mac = await subtle.sign('HMAC', hmacKey, enc.encode('payload'));
  console.log('hmac', hex(mac), await subtle.verify('HMAC', hmacKey, mac, enc.encode('payload')));
  const exported = await subtle.exportKey('jwk', hmacKey);
  console.log('jwk', exported.kty, exported.alg, exported.k);

  const aesKey = await subtle.importKey('raw', new Uint8Array(32).map((_, i) => i), 'AES-GCM', false, ['encrypt', 'decrypt']);
  const iv = new Uint8Array(12).fill(7);
  const ct = await subtle.encrypt({ name: 'AES-GCM', iv, additionalData: enc.encode('aad') }, aesKey, enc.encode('hello, subtle'));
  console.log('aes-gcm', hex(ct));
  const pt = await subtle.decrypt({ name: 'AES-GCM', iv, additionalData: enc.encode('aad') }, aesKey, ct);
  console.log('decrypted', new TextDecoder().decode(pt));
  try {
    await subtle.decrypt({ name: 'AES-GCM', iv }, aesKey, ct);
  } catch (e) {
    console.log('no aad:', e.name);
  }
  const base = await subtle.importKey('raw', enc.encode('pw'), 'PBKDF2', false, ['deriveBits']);
  const bits = await subtle.deriveBits({ name: 'PBKDF2', salt: enc.encode('salt'), iterations: 1000, hash: 'SHA-256' }, base, 256);
  console.log('pbkdf2', hex(bits));
  const pair = await subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-384' }, true, ['sign', 'verify']);
  const sig = await subtle.sign({ name: 'ECDSA', hash: 'SHA-384' }, pair.privateKey, enc.encode('data'));
  console.log('ecdsa', sig.byteLength, await subtle.verify({ name: 'ECDSA', hash: 'SHA-384' }, pair.publicKey, sig, enc.encode('data')));
  const aes = await subtle.generateKey({ name: 'AES-CBC', length: 128 }, true, ['encrypt']);
  console.log('generated', aes.type, aes.algorithm.name, aes.algorithm.length, aes.extractable, aes.usages);
}
main().catch((e) => { console.error('failed', e); process.exitCode = 1; });
