# Reads all of stdin as text and reports line, word and character counts and word frequencies.
import re
import sys
from collections import Counter

text = sys.stdin.read()
lines = text.splitlines()
words = re.findall(r"\w+", text.lower())
print(f"{len(lines)} lines, {len(words)} words, {len(text)} chars, {len(text.encode())} bytes")
for word, count in sorted(Counter(words).items(), key=lambda kv: (-kv[1], kv[0]))[:6]:
    print(f"{count:3d} {word}")
print("longest line:", max(lines, key=len))
print("read again:", repr(sys.stdin.read()))
