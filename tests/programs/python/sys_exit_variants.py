# SystemExit caught and inspected, then a final exit with a code above 255 (wraps to 44).
import sys

for arg in [0, 3, None, "text", True]:
    try:
        sys.exit(arg)
    except SystemExit as e:
        print(repr(arg), "->", repr(e.code))
try:
    raise SystemExit(7)
except SystemExit as e:
    print("raise SystemExit:", e.code)
sys.stdout.flush()
sys.exit(300)
