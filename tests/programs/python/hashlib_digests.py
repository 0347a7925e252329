# hashlib: the common digests, OpenSSL-only ones, XOFs, incremental hashing, key derivation.
import hashlib

data = "The quick brown fox jumps over the lazy dog".encode()
for name in ["md5", "sha1", "sha224", "sha256", "sha384", "sha512", "sha3_256", "sha3_512", "blake2b", "blake2s"]:
    print(f"{name:9} {hashlib.new(name, data).hexdigest()}")
print("shake_128", hashlib.shake_128(data).hexdigest(20))
print("shake_256", hashlib.shake_256(data).hexdigest(20))
# Provided by OpenSSL only (no builtin fallback): shows whether libcrypto works in the guest.
for name in ["sha512_256", "sha512_224", "sm3", "ripemd160"]:
    try:
        print(f"{name:10} {hashlib.new(name, data).hexdigest()}")
    except ValueError:
        print(f"{name:10} unavailable")

h = hashlib.sha256()
for chunk in (b"The quick ", b"brown fox ", b"jumps over the lazy dog"):
    h.update(chunk)
print(h.hexdigest() == hashlib.sha256(data).hexdigest(), h.digest_size, h.block_size, h.name)
big = bytes(range(256)) * 4096
print(hashlib.sha256(big).hexdigest(), hashlib.md5(big, usedforsecurity=False).hexdigest())
print(hashlib.blake2b(b"message", key=b"secret key", digest_size=16, person=b"app-v1").hexdigest())
print(hashlib.blake2s(b"message", salt=b"saltsalt").hexdigest())
print(hashlib.pbkdf2_hmac("sha256", b"correct horse", b"battery staple", 10000).hex())
print(hashlib.scrypt(b"password", salt=b"NaCl", n=1024, r=8, p=16, dklen=32).hex())
print(sorted(hashlib.algorithms_guaranteed))
copy = h.copy()
copy.update(b"!")
print(copy.hexdigest() != h.hexdigest())
