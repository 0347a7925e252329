# CPU-bound work: a sieve of Eratosthenes to 2 million, twin primes, Goldbach checks, Collatz.
import math

N = 2_000_000
sieve = bytearray([1]) * (N + 1)
sieve[0] = sieve[1] = 0
for i in range(2, math.isqrt(N) + 1):
    if sieve[i]:
        sieve[i * i::i] = bytes(len(range(i * i, N + 1, i)))
primes = [i for i in range(N + 1) if sieve[i]]
print(len(primes), primes[:10], primes[-3:], sum(primes))
twins = sum(1 for a, b in zip(primes, primes[1:]) if b - a == 2)
print("twin pairs", twins)
gaps = max((b - a, a) for a, b in zip(primes, primes[1:]))
print("largest gap", gaps)
for even in (100, 1000, 123456, 1999998):
    p = next(p for p in primes if sieve[even - p])
    print(f"{even} = {p} + {even - p}")
collatz = {1: 1}


def chain(n):
    path = []
    while n not in collatz:
        path.append(n)
        n = n // 2 if n % 2 == 0 else 3 * n + 1
    length = collatz[n]
    for m in reversed(path):
        length += 1
        collatz[m] = length
    return length


best = max(range(1, 300000), key=chain)
print("longest Collatz start below 300000:", best, chain(best))
