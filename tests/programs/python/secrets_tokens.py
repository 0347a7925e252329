# secrets and SystemRandom: values are random, so print only their lengths and properties.
import random
import secrets
import string

tok = secrets.token_hex(16)
print(len(tok), all(c in string.hexdigits for c in tok))
print(len(secrets.token_bytes(32)), len(secrets.token_bytes()))
url = secrets.token_urlsafe(24)
print(len(url), set(url) <= set(string.ascii_letters + string.digits + "-_"))
alphabet = string.ascii_letters + string.digits
password = "".join(secrets.choice(alphabet) for _ in range(20))
print(len(password), all(c in alphabet for c in password))
print(0 <= secrets.randbelow(10) < 10, secrets.randbits(16) < 2 ** 16)
print(secrets.compare_digest("abc", "abc"), secrets.compare_digest(b"abc", b"abd"))
sr = random.SystemRandom()
print(0 <= sr.random() < 1, sr.randint(5, 5), len(sr.sample(range(1000), 5)))
print(len({secrets.token_hex(8) for _ in range(100)}))
