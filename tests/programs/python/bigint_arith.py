# Arbitrary-precision integers: factorials, Fibonacci by doubling, RSA toy, digit-limit errors.
import math
import sys


def fib(n):
    def fd(k):
        if k == 0:
            return 0, 1
        a, b = fd(k >> 1)
        c = a * (2 * b - a)
        d = a * a + b * b
        return (d, c + d) if k & 1 else (c, d)
    return fd(n)[0]


f1000 = math.factorial(1000)
s = str(f1000)
print(len(s), s[:30], s[-260:].rstrip("0")[-20:], len(s) - len(s.rstrip("0")))
print(sum(int(d) for d in s), f1000.bit_length(), f1000 % (10**9 + 7))
f = fib(10000)
print(len(str(f)), str(f)[:20], f % 1_000_000_007)
p, q = 2**127 - 1, 2**89 - 1
n, e = p * q, 65537
d = pow(e, -1, (p - 1) * (q - 1))
msg = int.from_bytes(b"attack at dawn", "big")
c = pow(msg, e, n)
print(c % 10**20, pow(c, d, n).to_bytes(14, "big"))
print(2**1000 // 3**500, (-7) ** 31, -(2**64) // 3, (2**64) % -5, abs(-10**30), hex(2**100 - 1))
print(int("1" * 300) % 97, int("zz", 36), int("-0b1011", 0), (255).bit_count(), math.isqrt(2 * 10**100))
print(sys.get_int_max_str_digits())
try:
    str(10**5000)
except ValueError as e:
    print("ValueError:", str(e)[:60])
sys.set_int_max_str_digits(0)
print(len(str(10**5000)))
