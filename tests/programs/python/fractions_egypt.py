# fractions: exact rational arithmetic, Egyptian fractions, continued fractions, harmonic numbers.
import math
from fractions import Fraction


def egyptian(fr):
    parts = []
    while fr.numerator:
        d = -(-fr.denominator // fr.numerator)
        parts.append(Fraction(1, d))
        fr -= Fraction(1, d)
    return parts


def continued(fr, limit=20):
    terms = []
    while limit:
        q = math.floor(fr)
        terms.append(q)
        fr -= q
        if fr == 0:
            break
        fr = 1 / fr
        limit -= 1
    return terms


for f in (Fraction(4, 13), Fraction(5, 121), Fraction(7, 15)):
    print(f, "=", " + ".join(str(p) for p in egyptian(f)))
print(continued(Fraction(415, 93)), continued(Fraction(math.pi).limit_denominator(100000)))
print(Fraction(math.pi).limit_denominator(1000), Fraction(math.sqrt(2)).limit_denominator(100))
h = sum(Fraction(1, n) for n in range(1, 31))
print("H30 =", h, float(h))
print(Fraction("3.1415"), Fraction("-7/21"), Fraction(0.25), Fraction(1, 3) ** 3, Fraction(2, 3) ** -2)
print(Fraction(1, 3) + Fraction(1, 6), Fraction(3, 4) * 4, Fraction(5, 2) // 1, round(Fraction(7, 2)))
print(sorted([Fraction(2, 3), Fraction(3, 5), Fraction(5, 8), 0.6]))
print(Fraction(22, 7).as_integer_ratio(), Fraction(10, 4).numerator, Fraction(10, 4).denominator)
try:
    Fraction(1, 0)
except ZeroDivisionError as e:
    print("ZeroDivisionError:", e)
