# functools: memoization, partials, single dispatch, ordering, reduce, cached_property.
import functools
from decimal import Decimal


@functools.lru_cache(maxsize=None)
def fib(n):
    return n if n < 2 else fib(n - 1) + fib(n - 2)


print(fib(200), fib.cache_info())


@functools.lru_cache(maxsize=3)
def square(x):
    return x * x


for x in [1, 2, 3, 1, 4, 2, 5, 1]:
    square(x)
print(square.cache_info())
fib.cache_clear()
print(fib.cache_info())

to_int_base2 = functools.partial(int, base=2)
print(to_int_base2("101101"), to_int_base2.func.__name__, to_int_base2.keywords)
print(functools.reduce(lambda acc, x: acc * 10 + x, [4, 0, 9, 6]), functools.reduce(max, [3, 8, 1], 5))


@functools.singledispatch
def describe(obj):
    return f"object of type {type(obj).__name__}"


@describe.register
def _(obj: int):
    return f"int with {obj.bit_length()} bits"


@describe.register
def _(obj: list):
    return f"list of {len(obj)}: " + ", ".join(describe(x) for x in obj)


@describe.register(Decimal)
def _(obj):
    return f"decimal {obj.normalize()}"


print(describe(1023), describe([1, "x", Decimal("2.50")]), describe(None))


@functools.total_ordering
class Version:
    def __init__(self, text):
        self.parts = tuple(int(p) for p in text.split("."))

    def __eq__(self, other):
        return self.parts == other.parts

    def __lt__(self, other):
        return self.parts < other.parts

    def __repr__(self):
        return "v" + ".".join(map(str, self.parts))


versions = [Version(v) for v in ["1.10.0", "1.2.3", "1.2.10", "0.9", "1.2.3"]]
print(sorted(versions), max(versions), Version("2.0") >= Version("2.0.0"), Version("1.0") <= Version("1.0"))


class Report:
    def __init__(self, rows):
        self.rows = rows
        self.computed = 0

    @functools.cached_property
    def total(self):
        self.computed += 1
        return sum(self.rows)


r = Report([5, 6, 7])
print(r.total, r.total, r.computed)


def logged(func):
    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        result = func(*args, **kwargs)
        print(f"{func.__name__}{args} -> {result}")
        return result
    return wrapper


@logged
def add(a, b):
    """Add two numbers."""
    return a + b


add(2, 3)
print(add.__name__, add.__doc__, add.__wrapped__(4, 5))
print(sorted(["banana", "Apple", "cherry"], key=functools.cmp_to_key(lambda a, b: (a.lower() > b.lower()) - (a.lower() < b.lower()))))
