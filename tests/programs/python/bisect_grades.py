# bisect: grade lookup, a sorted leaderboard kept with insort, range counting, interval search.
import bisect


def grade(score, breakpoints=(60, 70, 80, 90), grades="FDCBA"):
    return grades[bisect.bisect(breakpoints, score)]


print([grade(s) for s in [33, 99, 77, 70, 89, 90, 100, 60, 59]])
board = []
for name, pts in [("ann", 310), ("bob", 120), ("cid", 450), ("dee", 310), ("eve", 5)]:
    bisect.insort(board, (-pts, name))
print([(n, -p) for p, n in board])
data = sorted([5, 1, 8, 3, 3, 3, 9, 12, 7, 3, 10])
print(data, bisect.bisect_left(data, 3), bisect.bisect_right(data, 3), bisect.bisect_right(data, 3) - bisect.bisect_left(data, 3))
print("in [4, 9]:", bisect.bisect_right(data, 9) - bisect.bisect_left(data, 4))
records = [("2024-01-01", "alpha"), ("2024-02-15", "beta"), ("2024-05-30", "gamma")]
keys = [r[0] for r in records]
for day in ["2023-12-31", "2024-01-01", "2024-03-01", "2025-01-01"]:
    i = bisect.bisect_right(keys, day)
    print(day, records[i - 1][1] if i else None)
people = [("ann", 31), ("bob", 25), ("cid", 40)]
people.sort(key=lambda p: p[1])
print(bisect.bisect_left(people, 30, key=lambda p: p[1]), people)


def index(a, x):
    i = bisect.bisect_left(a, x)
    if i != len(a) and a[i] == x:
        return i
    raise ValueError(f"{x} not found")


print(index(data, 9))
try:
    index(data, 4)
except ValueError as e:
    print("ValueError:", e)
