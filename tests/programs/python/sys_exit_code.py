# sys.exit with a status: output on both streams is kept, the exit code is 42, finally blocks run.
import atexit
import sys

atexit.register(lambda: print("atexit handler ran"))
print("checking inputs")
print("warning: 3 rows skipped", file=sys.stderr)
try:
    sys.exit(42)
finally:
    print("finally ran")
