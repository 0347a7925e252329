# random with fixed seeds: a Monte Carlo estimate, shuffles, sampling and distributions.
import random

random.seed(20240229)
print([random.randint(1, 6) for _ in range(20)])
print(random.random(), random.uniform(-1, 1), random.randrange(0, 1000, 7))
deck = [f"{r}{s}" for s in "SHDC" for r in "A23456789TJQK"]
random.shuffle(deck)
print(deck[:13])
print(random.sample(range(100), 10), random.choice("abcdef"), random.choices("abc", weights=[10, 1, 1], k=12))
print(round(random.gauss(0, 1), 12), round(random.expovariate(0.5), 12), round(random.betavariate(2, 5), 12))
print(random.getrandbits(128), random.randbytes(8).hex())

rng = random.Random("a string seed")
inside = sum(1 for _ in range(100000) if rng.random() ** 2 + rng.random() ** 2 <= 1)
print("pi ~", 4 * inside / 100000)
state = rng.getstate()
a = [rng.random() for _ in range(3)]
rng.setstate(state)
print(a == [rng.random() for _ in range(3)])


def random_walk(steps, seed):
    r = random.Random(seed)
    pos, furthest = 0, 0
    for _ in range(steps):
        pos += r.choice((-1, 1))
        furthest = max(furthest, abs(pos))
    return pos, furthest


print([random_walk(1000, s) for s in range(5)])
random.seed(7)
maze = ["".join(random.choice("╱╲") for _ in range(40)) for _ in range(5)]
print("\n".join(maze))
