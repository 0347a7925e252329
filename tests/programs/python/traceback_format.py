# traceback: format caught exceptions (chained, grouped, nested calls) into stdout.
import sys
import traceback


def parse_price(text):
    return float(text.strip("$"))


def load(rows):
    out = []
    for i, row in enumerate(rows):
        try:
            out.append(parse_price(row))
        except ValueError as e:
            raise RuntimeError(f"row {i} is bad") from e
    return out


try:
    load(["$1.50", "$2", "$x"])
except RuntimeError:
    text = traceback.format_exc()
    print(text, end="")
    print("lines:", len(text.splitlines()))

try:
    {}["missing"]
except KeyError as e:
    print("".join(traceback.format_exception_only(type(e), e)), end="")
    tb = e.__traceback__
    print([(f.lineno, f.name) for f in traceback.extract_tb(tb)])

try:
    try:
        1 / 0
    except ZeroDivisionError:
        None.attribute
except AttributeError:
    traceback.print_exc(file=sys.stdout)


def deep(n):
    if n == 0:
        raise LookupError("bottom")
    deep(n - 1)


try:
    deep(4)
except LookupError as e:
    summary = traceback.extract_tb(e.__traceback__)
    print(len(summary), [f.name for f in summary], summary[-1].line)

try:
    raise ExceptionGroup("batch failed", [ValueError("a"), TypeError("b"), ExceptionGroup("inner", [OSError(2, "gone")])])
except* ValueError as eg:
    print("caught", [str(e) for e in eg.exceptions])
except* (TypeError, OSError) as eg:
    traceback.print_exception(eg, file=sys.stdout)

try:
    raise ValueError("with note")
except ValueError as e:
    e.add_note("while importing row 7")
    print("".join(traceback.format_exception(e)), end="")
stack = traceback.format_stack()
print(len(stack), stack[-1].strip().splitlines()[0])
