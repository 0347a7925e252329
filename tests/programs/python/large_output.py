# Just over 1 MiB of output: a table of squares, cubes and hashes, line by line and in one big write.
import hashlib
import sys

for i in range(12000):
    print(f"{i:6d} {i * i:12d} {i ** 3:18d} {hashlib.md5(str(i).encode()).hexdigest()[:12]}")
block = "".join(chr(0x41 + (i % 26)) for i in range(1000)) + "\n"
sys.stdout.write(block * 450)
print("end", file=sys.stderr)
