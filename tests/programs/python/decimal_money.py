# decimal: money arithmetic with explicit rounding, contexts and an amortization schedule.
from decimal import ROUND_DOWN, ROUND_HALF_EVEN, ROUND_HALF_UP, Decimal, InvalidOperation, getcontext, localcontext

CENT = Decimal("0.01")


def amortize(principal, annual_rate, months):
    r = annual_rate / 12
    payment = (principal * r / (1 - (1 + r) ** -months)).quantize(CENT, ROUND_HALF_UP)
    balance = principal
    rows = []
    for month in range(1, months + 1):
        interest = (balance * r).quantize(CENT, ROUND_HALF_EVEN)
        pay = payment if month < months else balance + interest
        balance = balance + interest - pay
        rows.append((month, pay, interest, balance))
    return payment, rows


payment, rows = amortize(Decimal("25000.00"), Decimal("0.069"), 12)
print("payment", payment)
for month, pay, interest, balance in rows:
    print(f"{month:2d} {pay:>10} {interest:>8} {balance:>10}")

print(Decimal("1.1") + Decimal("2.2"), 1.1 + 2.2)
print(Decimal(0.1))
print(Decimal("2.675").quantize(CENT, ROUND_HALF_UP), Decimal("2.675").quantize(CENT, ROUND_HALF_EVEN))
print(Decimal("7.999").quantize(CENT, ROUND_DOWN))
print(getcontext().prec, Decimal(1) / Decimal(7))
with localcontext() as ctx:
    ctx.prec = 50
    print(Decimal(2).sqrt())
    print(Decimal(1).exp())
print(Decimal("1e-7").normalize(), Decimal("100").normalize(), Decimal("-0"), Decimal("NaN").is_nan())
print(sorted([Decimal("1.10"), Decimal("1.1"), Decimal("0.9")]), Decimal("1.10") == Decimal("1.1"))
print(Decimal("123.456").as_tuple())
print(sum(Decimal("0.10") for _ in range(10)))
try:
    Decimal("abc")
except InvalidOperation as e:
    print("InvalidOperation", type(e).__name__)
print(Decimal(10) ** 30, Decimal("1.5").to_integral_value(), Decimal("2.5").to_integral_value())
