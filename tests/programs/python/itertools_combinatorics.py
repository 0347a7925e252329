# itertools: combinatorics, grouping, batching and infinite iterators cut short.
import itertools as it
import operator

print(list(it.permutations("abc", 2)))
print(list(it.combinations(range(5), 3)))
print(list(it.combinations_with_replacement("xy", 3)))
print(["".join(p) for p in it.product("01", repeat=3)])
print(list(it.accumulate([3, 1, 4, 1, 5, 9, 2, 6], max)), list(it.accumulate(range(1, 8), operator.mul)))
print(list(it.pairwise("abcde")), list(it.zip_longest("ab", "wxyz", fillvalue="-")))
print(list(it.islice(it.count(10, 5), 4)), list(it.islice(it.cycle("ab"), 5)), list(it.repeat(7, 3)))
print(list(it.chain.from_iterable([[1, 2], [3], [], [4, 5]])), list(it.compress("abcdef", [1, 0, 1, 0, 1, 1])))
print(list(it.takewhile(lambda x: x < 5, [1, 4, 6, 4, 1])), list(it.dropwhile(lambda x: x < 5, [1, 4, 6, 4, 1])))
print(list(it.filterfalse(lambda x: x % 3, range(12))), list(it.starmap(pow, [(2, 5), (3, 2), (10, 3)])))

words = sorted("apple avocado banana blueberry cherry cranberry citron date".split(), key=lambda w: w[0])
for letter, group in it.groupby(words, key=lambda w: w[0]):
    print(letter, list(group))
print([(k, len(list(g))) for k, g in it.groupby("aaabccddddde")])

a, b = it.tee(range(5))
print(list(a), sum(b))


def batched(iterable, n):
    iterator = iter(iterable)
    while chunk := tuple(it.islice(iterator, n)):
        yield chunk


print(list(batched(range(10), 4)))

# The 8-queens count by brute force over permutations.
n = 6
solutions = [p for p in it.permutations(range(n))
             if len({p[i] + i for i in range(n)}) == n and len({p[i] - i for i in range(n)}) == n]
print(len(solutions), solutions[:2])
coins = [1, 2, 5, 10]
ways = sum(1 for combo in it.product(*(range(0, 21, c) for c in coins)) if sum(combo) == 20)
print("ways to make 20:", ways)
