# tempfile: temporary files and directories; names are random, so print only whether things exist.
import os
import tempfile

print(tempfile.gettempdir())
with tempfile.TemporaryDirectory() as d:
    print(os.path.isdir(d), os.path.dirname(d) == tempfile.gettempdir())
    inner = os.path.join(d, "data.txt")
    with open(inner, "w") as f:
        f.write("payload")
    print(os.path.exists(inner))
print(os.path.exists(d), os.path.exists(inner))

with tempfile.NamedTemporaryFile("w+", suffix=".json", prefix="cfg-") as f:
    f.write('{"a": 1}')
    f.flush()
    f.seek(0)
    name = f.name
    base = os.path.basename(name)
    print(f.read(), os.path.exists(name), base.startswith("cfg-"), base.endswith(".json"))
print(os.path.exists(name))

f = tempfile.NamedTemporaryFile(delete=False)
f.write(b"keep me")
f.close()
print(os.path.exists(f.name), open(f.name, "rb").read())
os.unlink(f.name)
print(os.path.exists(f.name))

fd, path = tempfile.mkstemp(text=True)
os.write(fd, b"line\n")
os.close(fd)
print(os.path.getsize(path), oct(os.stat(path).st_mode & 0o777))
os.remove(path)

with tempfile.TemporaryFile() as t:
    t.write(b"anonymous" * 1000)
    t.seek(0)
    print(len(t.read()))
with tempfile.SpooledTemporaryFile(max_size=100) as sp:
    sp.write(b"x" * 50)
    print(sp._rolled)
    sp.write(b"y" * 100)
    print(sp._rolled, sp.tell())
names = {os.path.basename(tempfile.mktemp()) for _ in range(20)}
print(len(names))
