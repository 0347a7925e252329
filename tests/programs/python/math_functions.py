# math: integer functions, floating point, special values.
import math

print(math.factorial(25), math.comb(52, 5), math.perm(10, 3))
print(math.gcd(1071, 462, 2 * 3 * 7), math.lcm(4, 6, 10), math.isqrt(10**20 + 12345))
print(math.pi, math.e, math.tau, math.inf, -math.inf, math.nan)
for x in (0.5, 1.0, 2.0, 10.0, 1e-9):
    print(f"{x:>8} log={math.log(x):.12f} sqrt={math.sqrt(x):.12f} exp={math.exp(x):.12g}")
for deg in range(0, 361, 45):
    r = math.radians(deg)
    print(deg, round(math.sin(r), 12), round(math.cos(r), 12), round(math.atan2(math.sin(r), math.cos(r)), 12))
print(math.fsum([0.1] * 10), sum([0.1] * 10))
print(math.prod(range(1, 11)), math.hypot(3, 4, 12), math.dist((0, 0), (3, 4)))
print(math.isclose(0.1 + 0.2, 0.3), 0.1 + 0.2 == 0.3, math.copysign(3, -0.0))
print(math.floor(-2.5), math.ceil(-2.5), math.trunc(-2.5), round(2.5), round(3.5), round(-0.5))
print(math.frexp(1024.0), math.ldexp(0.5, 11), math.modf(-3.75))
print(math.nextafter(1.0, 2.0), math.ulp(1.0), float.hex(0.1), (0.1).as_integer_ratio())
print(math.erf(1.0), math.gamma(5.5), math.lgamma(100.0))
print(math.isfinite(1e308 * 10), math.isnan(float("nan")), 1e308 * 10)
print(divmod(-7, 2), -7 // 2, -7 % 2, pow(3, 200, 1000007), pow(5, -1, 97))
print(7.0 / 3, 2 ** 0.5, 1 / 3 * 3, 1e16 + 1, 123456789.123456789)
try:
    math.sqrt(-1)
except ValueError as e:
    print("ValueError:", e)
try:
    math.exp(1000)
except OverflowError as e:
    print("OverflowError:", e)
