# csv: parse a CSV export with quoting, aggregate with DictReader, write reports in two dialects.
import csv
import io
import sys
from collections import defaultdict
from decimal import Decimal

EXPORT = '''date,region,product,units,unit_price,comment
2024-01-03,North,"Widget, large",12,19.99,
2024-01-03,South,Gadget,5,7.50,"said ""thanks"""
2024-01-04,North,Gadget,9,7.50,"multi
line"
2024-01-05,East,"Widget, large",1,19.99,
2024-01-05,South,Doohickey,30,0.99,bulk
'''

reader = csv.DictReader(io.StringIO(EXPORT))
print(reader.fieldnames)
totals = defaultdict(Decimal)
units = defaultdict(int)
for row in reader:
    amount = Decimal(row["unit_price"]) * int(row["units"])
    totals[row["region"]] += amount
    units[row["product"]] += int(row["units"])
    print(reader.line_num, row["product"], amount, repr(row["comment"]))

writer = csv.writer(sys.stdout, lineterminator="\n")
writer.writerow(["region", "revenue"])
for region in sorted(totals):
    writer.writerow([region, totals[region]])
dw = csv.DictWriter(sys.stdout, fieldnames=["product", "units"], delimiter=";", quoting=csv.QUOTE_ALL, lineterminator="\n")
dw.writeheader()
dw.writerows({"product": p, "units": n} for p, n in sorted(units.items()))

out = io.StringIO()
csv.writer(out, delimiter="\t", quoting=csv.QUOTE_MINIMAL).writerows([["a b", 'quote"d', "tab\there"], [1, None, 2.5]])
print(repr(out.getvalue()))
print(list(csv.reader(["1,'a,b',3"], quotechar="'")))
sniffed = csv.Sniffer().sniff("x|y|z\n1|2|3\n")
print(sniffed.delimiter, csv.Sniffer().has_header("name,age\nbob,30\nann,25\n"))
try:
    list(csv.reader(['a,"b'], strict=True))
except csv.Error as e:
    print("csv.Error:", e)
