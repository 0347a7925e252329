# pprint, reprlib, operator and sorting: pretty-print nested data, stable multi-key sorts.
import operator
import pprint
import reprlib
from collections import namedtuple

Employee = namedtuple("Employee", "name dept salary age")
staff = [Employee("ann", "eng", 120, 34), Employee("bob", "ops", 90, 45), Employee("cid", "eng", 120, 29),
         Employee("dee", "sales", 70, 51), Employee("eve", "ops", 95, 38), Employee("fay", "eng", 150, 41)]
print(sorted(staff, key=operator.attrgetter("dept", "name"))[:3])
print([e.name for e in sorted(staff, key=lambda e: (-e.salary, e.age))])
by_salary = sorted(staff, key=operator.itemgetter(2), reverse=True)
print([e.name for e in by_salary], [e.name for e in sorted(by_salary, key=operator.attrgetter("dept"))])
structure = {"service": "billing", "replicas": [{"zone": z, "nodes": [f"n{i}" for i in range(4)], "weight": w}
             for z, w in [("eu-west", 0.5), ("us-east", 0.3), ("ap-south", 0.2)]],
             "limits": {"cpu": "500m", "memory": "256Mi", "tuple": tuple(range(12))}}
pprint.pprint(structure, width=70, sort_dicts=True)
print(pprint.pformat(list(range(40)), width=50, compact=True))
print(reprlib.repr(list(range(1000))), reprlib.repr("x" * 500), reprlib.repr({i: i for i in range(20)}))
print(operator.methodcaller("replace", "a", "o")("banana"), operator.add(2, 3), operator.getitem("abc", 1))
print(list(map(operator.mul, [1, 2, 3], [4, 5, 6])), operator.truth([]), operator.index(7))
