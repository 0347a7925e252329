# JSON: encode nested data, custom encoder, round trip, pretty printing and error reporting.
import json
from datetime import date
from decimal import Decimal


class Encoder(json.JSONEncoder):
    def default(self, o):
        if isinstance(o, date):
            return {"__date__": o.isoformat()}
        if isinstance(o, Decimal):
            return str(o)
        if isinstance(o, set):
            return sorted(o)
        return super().default(o)


def decode_hook(d):
    if "__date__" in d:
        return date.fromisoformat(d["__date__"])
    return d


order = {
    "id": 1042,
    "customer": {"name": "Zoë Ångström", "tags": {"vip", "eu", "beta"}},
    "placed": date(2024, 2, 29),
    "lines": [
        {"sku": "A-1", "qty": 3, "price": Decimal("9.99")},
        {"sku": "B-22", "qty": 1, "price": Decimal("120.00")},
    ],
    "notes": None,
    "paid": False,
    "ratio": 0.1 + 0.2,
}

text = json.dumps(order, cls=Encoder, sort_keys=True)
print(text)
print(json.dumps(order, cls=Encoder, sort_keys=True, indent=2, ensure_ascii=False))
back = json.loads(text, object_hook=decode_hook)
print(back["placed"], type(back["placed"]).__name__, back["placed"].weekday())
total = sum(Decimal(line["price"]) * line["qty"] for line in back["lines"])
print("total", total)
print(json.dumps([1.5, 1e100, -0.0, 2**70, "tab\there", "\u2603"]))
print(json.dumps({"b": 1, "a": [1, 2]}, separators=(",", ":")))

for bad in ['{"a": 1,}', "[1, 2", '{"a" 1}', "nul", '"\\x"']:
    try:
        json.loads(bad)
    except json.JSONDecodeError as e:
        print(f"{bad!r}: {e.msg} at line {e.lineno} col {e.colno}")

try:
    json.dumps({"x": object()})
except TypeError as e:
    print("TypeError:", e)
print(json.loads('{"big": 123456789012345678901234567890, "f": 1.0000000000000002}'))
