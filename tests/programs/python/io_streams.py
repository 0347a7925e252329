# io: text and binary in-memory streams, encodings, newline translation, seeking, buffering.
import io

s = io.StringIO()
s.write("first line\n")
print("second line", file=s)
s.write("third")
print(repr(s.getvalue()), s.tell())
s.seek(0)
print(s.readline(), end="")
print(s.readlines())

b = io.BytesIO(b"\x00\x01binary\xffdata")
print(b.read(2), b.read(6), b.getbuffer().nbytes, b.seek(-4, io.SEEK_END), b.read())
b.seek(2)
b.write(b"BINARY")
print(b.getvalue())

raw = io.BytesIO()
w = io.TextIOWrapper(raw, encoding="utf-16-le", newline="\r\n")
w.write("a\nß\n€")
w.flush()
print(raw.getvalue().hex())
for enc in ["utf-8", "utf-16", "latin-1", "cp1252", "utf-8-sig"]:
    try:
        data = "Grüße €".encode(enc)
        print(enc, data.hex(), io.TextIOWrapper(io.BytesIO(data), encoding=enc).read())
    except UnicodeEncodeError as e:
        print(enc, "UnicodeEncodeError", e.start, e.end, e.reason)

t = io.TextIOWrapper(io.BytesIO(b"one\r\ntwo\rthree\nfour"), encoding="ascii", newline=None)
print(t.read().split("\n"))
t = io.TextIOWrapper(io.BytesIO(b"one\r\ntwo\rthree\nfour"), encoding="ascii", newline="")
print(t.readlines())
br = io.BufferedReader(io.BytesIO(b"x" * 10000), buffer_size=1024)
print(len(br.peek(10)) > 0, len(br.read(5000)), len(br.read()))
bad = io.TextIOWrapper(io.BytesIO(b"ok\xffok"), encoding="utf-8", errors="replace")
print(repr(bad.read()))
try:
    io.TextIOWrapper(io.BytesIO(b"ok\xffok"), encoding="utf-8").read()
except UnicodeDecodeError as e:
    print("UnicodeDecodeError:", e)
with io.StringIO("closed soon") as c:
    pass
print(c.closed)
