# Reads a JSON document from stdin (binary, line by line) and totals it per customer.
import json
import sys
from collections import defaultdict
from decimal import Decimal

raw = b"".join(sys.stdin.buffer)
doc = json.loads(raw)
per_customer = defaultdict(Decimal)
for inv in doc["invoices"]:
    total = sum((Decimal(i["price"]) * i["qty"] for i in inv["items"]), Decimal("0.00"))
    per_customer[inv["customer"]] += total
    print(f"{inv['id']:6} {inv['customer']:8} {total:>9}")
print(json.dumps({k: str(v) for k, v in sorted(per_customer.items())}))
print(len(raw), "bytes read", sys.stdin.isatty())
