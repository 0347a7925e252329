# Recursion: deep but legal recursion, RecursionError caught, a raised limit, memoized trees.
import sys
from functools import lru_cache


def depth(n):
    return 0 if n == 0 else 1 + depth(n - 1)


print(sys.getrecursionlimit(), depth(900))
try:
    depth(100000)
except RecursionError as e:
    print("RecursionError:", e)
sys.setrecursionlimit(5000)
print(depth(4500))


@lru_cache(maxsize=None)
def partitions(n, k):
    if n == 0:
        return 1
    if n < 0 or k == 0:
        return 0
    return partitions(n - k, k) + partitions(n, k - 1)


print([partitions(n, n) for n in range(0, 30, 3)], partitions(300, 300))


def ackermann(m, n):
    if m == 0:
        return n + 1
    if n == 0:
        return ackermann(m - 1, 1)
    return ackermann(m - 1, ackermann(m, n - 1))


print(ackermann(2, 3), ackermann(3, 3))
nested = []
for _ in range(200):
    nested = [nested]
print(len(repr(nested)))
