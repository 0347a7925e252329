# An uncaught exception after some output: exit status 1, the traceback on stderr.
import json
import sys


def average(values):
    return sum(values) / len(values)


def report(groups):
    for name, values in groups.items():
        print(f"{name}: {average(values):.2f}")
        sys.stdout.flush()


print("starting report")
print("progress: 0%", file=sys.stderr)
report(json.loads('{"north": [3, 4, 5], "south": [10], "east": []}'))
print("not reached")
