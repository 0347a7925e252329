# pickle, copy and shelve-like persistence: round trips, protocols, custom reduce, deep copies.
import copy
import io
import pickle
import pickletools
from collections import OrderedDict, namedtuple

Point = namedtuple("Point", "x y")


class Matrix:
    def __init__(self, rows):
        self.rows = rows
        self.cache = {"det": None}

    def __reduce__(self):
        return (Matrix, (self.rows,))

    def __eq__(self, other):
        return self.rows == other.rows


data = {"ints": [1, 2**80, -3], "floats": (0.5, float("inf")), "text": "ünï", "bytes": b"\x00\xff",
        "set": frozenset([3]), "nested": OrderedDict(a=[Point(1, 2)]), "none": None, "m": Matrix([[1, 2]])}
for proto in range(pickle.HIGHEST_PROTOCOL + 1):
    blob = pickle.dumps(data, protocol=proto)
    back = pickle.loads(blob)
    print(proto, len(blob), back == data)
print(pickle.dumps([1, "a", None], protocol=4).hex())
out = io.StringIO()
pickletools.dis(pickle.dumps((1, "x"), protocol=2), out=out)
print(out.getvalue(), end="")
shared = [1, 2]
obj = {"a": shared, "b": shared}
back = pickle.loads(pickle.dumps(obj))
print(back["a"] is back["b"])
shallow, deep = copy.copy(obj), copy.deepcopy(obj)
shared.append(3)
print(shallow["a"], deep["a"], deep["a"] is deep["b"])
try:
    pickle.dumps(lambda: 1)
except (pickle.PicklingError, AttributeError) as e:
    print(type(e).__name__)
try:
    pickle.loads(b"\x80\x04garbage")
except Exception as e:
    print(type(e).__name__)
