# sys.exit with a message: the message goes to stderr and the exit code is 1.
import sys

required = ["INPUT_PATH", "MODE"]
print("validating environment")
missing = [name for name in required if name not in __import__("os").environ]
if missing:
    sys.exit(f"error: missing environment variables: {', '.join(missing)}")
print("not reached")
