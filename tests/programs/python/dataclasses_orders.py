# dataclasses: an order model with defaults, validation, ordering, frozen values, asdict/replace.
import dataclasses
import json
from dataclasses import dataclass, field
from typing import List, Optional


@dataclass(frozen=True, order=True)
class Money:
    cents: int
    currency: str = "EUR"

    def __add__(self, other):
        if self.currency != other.currency:
            raise ValueError(f"currency mismatch: {self.currency} vs {other.currency}")
        return Money(self.cents + other.cents, self.currency)

    def __str__(self):
        return f"{self.cents // 100}.{self.cents % 100:02d} {self.currency}"


@dataclass
class Line:
    sku: str
    qty: int
    unit: Money

    def __post_init__(self):
        if self.qty <= 0:
            raise ValueError(f"qty must be positive, got {self.qty}")

    @property
    def total(self):
        return Money(self.unit.cents * self.qty, self.unit.currency)


@dataclass
class Order:
    number: int
    lines: List[Line] = field(default_factory=list)
    note: Optional[str] = None
    _audit: list = field(default_factory=list, repr=False, compare=False)

    def add(self, line):
        self.lines.append(line)
        self._audit.append(f"added {line.sku}")
        return self

    def total(self):
        total = Money(0)
        for line in self.lines:
            total = total + line.total
        return total


order = Order(7).add(Line("PEN", 3, Money(150))).add(Line("PAD", 2, Money(425)))
print(order)
print(order.total(), len(order._audit))
print(json.dumps(dataclasses.asdict(order), sort_keys=True))
print(dataclasses.astuple(order.lines[0]))
copy = dataclasses.replace(order, number=8, note="gift")
print(copy.number, copy.note, copy.lines is order.lines, copy == order)
print(sorted([Money(500), Money(120), Money(120, "CHF")]))
print([f.name for f in dataclasses.fields(Order)], dataclasses.is_dataclass(order))
try:
    order.lines[0].unit.cents = 1
except dataclasses.FrozenInstanceError as e:
    print("FrozenInstanceError:", e)
try:
    Line("X", 0, Money(1))
except ValueError as e:
    print("ValueError:", e)
try:
    Money(1) + Money(1, "USD")
except ValueError as e:
    print("ValueError:", e)
print(hash(Money(5)) == hash(Money(5)), Money(5) in {Money(5)})


@dataclass(slots=True, kw_only=True)
class Point:
    x: float
    y: float = 0.0


p = Point(x=1.5)
print(p, hasattr(p, "__dict__"), Point.__slots__)
