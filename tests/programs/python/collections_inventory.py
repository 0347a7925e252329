# collections: a warehouse inventory with Counter, defaultdict, deque, namedtuple, ChainMap.
from collections import ChainMap, Counter, OrderedDict, defaultdict, deque, namedtuple

Item = namedtuple("Item", "sku name price qty", defaults=[0])
stock = [
    Item("A1", "bolt", 0.10, 500),
    Item("A2", "nut", 0.05, 800),
    Item("B7", "hinge", 2.50, 40),
    Item("C3", "bracket", 1.25),
]
print(stock[0], stock[3]._asdict(), stock[2]._replace(qty=39), Item._fields)

sales = "bolt nut nut hinge bolt bolt nut bracket nut bolt".split()
counts = Counter(sales)
print(counts.most_common(), counts["washer"], sum(counts.values()))
counts.update(["bolt", "washer"])
counts.subtract({"nut": 2})
print(sorted(counts.items()), +counts == counts)
print(Counter("mississippi") & Counter("missouri"), Counter("abc") + Counter("bcd"))

by_letter = defaultdict(list)
for item in stock:
    by_letter[item.sku[0]].append(item.name)
print(dict(by_letter))
nested = defaultdict(lambda: defaultdict(int))
for i, s in enumerate(sales):
    nested[s][i % 3] += 1
print({k: dict(v) for k, v in sorted(nested.items())})

window = deque(maxlen=3)
for n in range(1, 8):
    window.append(n)
    print(list(window), sum(window) / len(window))
d = deque("abcdef")
d.rotate(2)
print(d, d.popleft(), d.pop(), d)
d.extendleft("xy")
print(d, d.index("a"), d.count("x"))

lru = OrderedDict()
for key in "abcabdea":
    lru[key] = lru.get(key, 0) + 1
    lru.move_to_end(key)
    if len(lru) > 3:
        print("evict", lru.popitem(last=False))
print(lru)

defaults = {"color": "red", "size": "M", "qty": 1}
user = {"size": "L"}
cli = {"qty": 5}
settings = ChainMap(cli, user, defaults)
print(settings["color"], settings["size"], settings["qty"], sorted(settings), len(settings))
child = settings.new_child({"color": "blue"})
print(child["color"], settings["color"], child.maps[0])
