# hmac: sign and verify webhook payloads, a JWT-like token and constant-time comparison.
import base64
import hashlib
import hmac
import json

secret = b"whsec_0123456789abcdef"
payload = json.dumps({"event": "invoice.paid", "id": "evt_42", "amount": 1999}, sort_keys=True).encode()
signature = hmac.new(secret, payload, hashlib.sha256).hexdigest()
print(signature)
print(hmac.compare_digest(signature, hmac.new(secret, payload, "sha256").hexdigest()))
print(hmac.compare_digest(signature, "0" * 64))
print(hmac.digest(secret, payload, "sha512").hex())
print(hmac.new(b"key", b"The quick brown fox jumps over the lazy dog", hashlib.md5).hexdigest())


def b64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def sign_token(claims, key):
    header = b64url(json.dumps({"alg": "HS256", "typ": "JWT"}, separators=(",", ":")).encode())
    body = b64url(json.dumps(claims, separators=(",", ":"), sort_keys=True).encode())
    sig = b64url(hmac.new(key, f"{header}.{body}".encode(), hashlib.sha256).digest())
    return f"{header}.{body}.{sig}"


def verify_token(token, key):
    header, body, sig = token.split(".")
    expected = b64url(hmac.new(key, f"{header}.{body}".encode(), hashlib.sha256).digest())
    if not hmac.compare_digest(sig, expected):
        raise ValueError("bad signature")
    padded = body + "=" * (-len(body) % 4)
    return json.loads(base64.urlsafe_b64decode(padded))


token = sign_token({"sub": "user-17", "role": "admin", "exp": 1900000000}, b"k3y")
print(token)
print(verify_token(token, b"k3y"))
try:
    verify_token(token, b"wrong")
except ValueError as e:
    print("ValueError:", e)
m = hmac.new(b"k", digestmod="sha3_256")
m.update(b"part1")
m.update(b"part2")
print(m.name, m.digest_size, m.hexdigest())
