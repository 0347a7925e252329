# re: parse a web server log with named groups, aggregate, substitute and split.
import re
from collections import Counter

LOG = """\
192.168.1.10 - - [10/Oct/2023:13:55:36 +0000] "GET /index.html HTTP/1.1" 200 2326
10.0.0.5 - alice [10/Oct/2023:13:55:40 +0000] "POST /api/login HTTP/1.1" 302 0
192.168.1.10 - - [10/Oct/2023:13:56:01 +0000] "GET /images/logo.png HTTP/1.1" 200 10240
172.16.0.3 - - [10/Oct/2023:13:57:12 +0000] "GET /missing HTTP/1.1" 404 512
10.0.0.5 - alice [10/Oct/2023:13:58:00 +0000] "GET /api/items?page=2&size=50 HTTP/1.1" 200 8812
garbage line that does not match
172.16.0.3 - - [10/Oct/2023:14:01:59 +0000] "DELETE /api/items/7 HTTP/1.1" 500 128
"""

pattern = re.compile(
    r'(?P<ip>\d{1,3}(?:\.\d{1,3}){3}) - (?P<user>\S+) \[(?P<ts>[^\]]+)\] '
    r'"(?P<method>[A-Z]+) (?P<path>\S+) HTTP/(?P<ver>[\d.]+)" (?P<status>\d{3}) (?P<size>\d+)'
)

status_counts = Counter()
bytes_by_ip = Counter()
bad = 0
for line in LOG.splitlines():
    m = pattern.match(line)
    if not m:
        bad += 1
        continue
    status_counts[m["status"]] += 1
    bytes_by_ip[m["ip"]] += int(m["size"])
    print(m.group("method"), m["path"], m.span("path"), m.groupdict()["user"])

print("unparsed:", bad)
print(sorted(status_counts.items()))
print(bytes_by_ip.most_common(2))
print(re.findall(r"\b\d{2}:\d{2}:\d{2}\b", LOG))
print(re.sub(r"\d+\.\d+\.\d+\.(\d+)", lambda m: "x.x.x." + m.group(1), LOG.splitlines()[0]))
print(re.split(r"[;,\s]\s*", "a, b;c  d,e"))
print(re.fullmatch(r"(?i)[a-z]+-\d+", "SKU-123") is not None)
query = re.search(r"\?(.*?) ", LOG).group(1)
print(dict(re.findall(r"(\w+)=(\w+)", query)))
print(re.escape("1+1=2? (yes)"))
print(re.sub(r"(?m)^(\S+)", r"<\1>", "one two\nthree four"))
print([m.start() for m in re.finditer("a(?=b)", "abacab")])
try:
    re.compile("(unclosed")
except re.error as e:
    print("re.error:", e)
