# The environment: exactly the default variables plus the request's, read through os.environ.
import os

for key in sorted(os.environ):
    print(f"{key}={os.environ[key]}")
workers = int(os.environ.get("APP_WORKERS", "1"))
print("workers * 2 =", workers * 2, "debug" if os.getenv("APP_DEBUG") else "no debug")
print(os.environ.get("EMPTY") == "", "PWD" in os.environ, os.environb[b"GREETING"])
os.environ["NEW_VAR"] = "set inside"
print(os.getenv("NEW_VAR"), len(os.environ))
