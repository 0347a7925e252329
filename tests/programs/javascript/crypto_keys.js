// Asymmetric keys: generate (output only what doesn't depend on the key), sign, verify,
// and a fixed Ed25519 key imported from JWK gives fixed signatures.
const crypto = require('crypto');

const { publicKey, privateKey } = crypto.generateKeyPairSync('ed25519');
const msg = Buffer.from('a message to sign');
const sig = crypto.sign(null, msg, privateKey);
console.log('ed25519', publicKey.asymmetricKeyType, sig.length, crypto.verify(null, msg, publicKey, sig),
  crypto.verify(null, Buffer.from('tampered'), publicKey, sig));
console.log('pem', publicKey.export({ type: 'spki', format: 'pem' }).split('\n')[0]);

const ec = crypto.generateKeyPairSync('ec', { namedCurve: 'P-256' });
const s2 = crypto.createSign('SHA256').update(msg).sign(ec.privateKey);
console.log('ecdsa', ec.publicKey.asymmetricKeyDetails.namedCurve, crypto.createVerify('SHA256').update(msg).verify(ec.publicKey, s2));

const rsa = crypto.generateKeyPairSync('rsa', { modulusLength: 1024 });
const enc = crypto.publicEncrypt(rsa.publicKey, Buffer.from('secret'));
console.log('rsa', rsa.publicKey.asymmetricKeyDetails.modulusLength, enc.length, crypto.privateDecrypt(rsa.privateKey, enc).toString());

// A fixed key (RFC 8032 test vector 1): the signature is deterministic.
const jwk = {
  kty: 'OKP', crv: 'Ed25519',
  d: Buffer.from('9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60', 'hex').toString('base64url'),
  x: Buffer.from('d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a', 'hex').toString('base64url'),
};
const fixed = crypto.createPrivateKey({ key: jwk, format: 'jwk' });
console.log('rfc8032', crypto.sign(null, Buffer.alloc(0), fixed).toString('hex'));
console.log('public jwk', JSON.stringify(crypto.createPublicKey(fixed).export({ format: 'jwk' })));

const alice = crypto.createECDH('prime256v1');
const bob = crypto.createECDH('prime256v1');
alice.generateKeys(); bob.generateKeys();
console.log('ecdh agree', alice.computeSecret(bob.getPublicKey()).equals(bob.computeSecret(alice.getPublicKey())));
const x1 = crypto.generateKeyPairSync('x25519');
const x2 = crypto.generateKeyPairSync('x25519');
const d1 = crypto.diffieHellman({ privateKey: x1.privateKey, publicKey: x2.publicKey });
const d2 = crypto.diffieHellman({ privateKey: x2.privateKey, publicKey: x1.publicKey });
console.log('x25519 agree', d1.equals(d2), d1.length);
