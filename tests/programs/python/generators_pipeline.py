# Generators and context managers: a lazy processing pipeline, send(), yield from, ExitStack.
import contextlib
import itertools


def read_records(lines):
    for n, line in enumerate(lines, 1):
        line = line.strip()
        if line and not line.startswith("#"):
            yield n, line.split(",")


def parse(records):
    for n, fields in records:
        try:
            yield {"line": n, "name": fields[0], "score": int(fields[1])}
        except (IndexError, ValueError):
            print(f"skipping line {n}: {fields}")


def top(rows, threshold):
    return (r for r in rows if r["score"] >= threshold)


DATA = """# name,score
ann,91
bob,x
cid,78

dee,88
eve
fay,99""".splitlines()
print([(r["line"], r["name"]) for r in top(parse(read_records(DATA)), 80)])


def running_average():
    total, count, avg = 0.0, 0, None
    while True:
        value = yield avg
        if value is None:
            return count
        total += value
        count += 1
        avg = total / count


gen = running_average()
next(gen)
print([gen.send(v) for v in [10, 20, 60, 10]])
try:
    gen.send(None)
except StopIteration as e:
    print("returned", e.value)


def flatten(tree):
    for node in tree:
        if isinstance(node, list):
            yield from flatten(node)
        else:
            yield node


print(list(flatten([1, [2, [3, [4, 5]], 6], [[7]]])))
fib = (a for a, _ in itertools.accumulate(itertools.repeat(None), lambda ab, _: (ab[1], ab[0] + ab[1]), initial=(0, 1)))
print(list(itertools.islice(fib, 15)))


@contextlib.contextmanager
def resource(name, log):
    log.append(f"open {name}")
    try:
        yield name.upper()
    except KeyError as e:
        log.append(f"{name} saw {e!r}")
        raise
    finally:
        log.append(f"close {name}")


log = []
try:
    with contextlib.ExitStack() as stack:
        handles = [stack.enter_context(resource(n, log)) for n in ("db", "cache", "queue")]
        stack.callback(log.append, "callback ran")
        log.append(f"using {handles}")
        raise KeyError("boom")
except KeyError:
    log.append("caught outside")
print("\n".join(log))
with contextlib.suppress(ZeroDivisionError):
    1 / 0
    print("not printed")
with contextlib.redirect_stdout(None) if False else contextlib.nullcontext():
    print("nullcontext body")
