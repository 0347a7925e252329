# array, memoryview, bytearray: typed buffers, zero-copy slicing, byte swapping.
import array
import sys

a = array.array("i", range(10))
a.append(100)
a.extend([7, 8])
a.insert(0, -1)
print(a, a.itemsize, len(a), a.count(7), a.index(100), a.typecode)
d = array.array("d", [1.5, 2.25, -0.125])
print(d.tobytes().hex(), array.array("d", d.tobytes()) == d)
u = array.array("H", [1, 256, 65535])
u.byteswap()
print(u, u.tolist())
print(array.array("b", b"\x01\xff\x7f"), array.array("u", "hé✓").tounicode())

m = memoryview(bytearray(b"abcdefghij"))
part = m[2:6]
part[0] = ord("X")
print(bytes(m), part.tobytes(), part.nbytes, m.readonly, m[::2].tobytes())
ints = memoryview(array.array("I", [1, 2, 3, 4, 5, 6]))
print(ints.format, ints.itemsize, ints.shape, ints.tolist(), ints.cast("B")[:8].tolist())
grid = memoryview(bytes(range(12))).cast("B", shape=[3, 4])
print(grid.shape, grid.tolist(), grid[1, 2])

ba = bytearray(b"hello world")
ba[0:5] = b"HELLO"
ba += b"!"
del ba[5]
print(ba, ba.upper(), ba.find(b"o"), ba.split(b"o"), bytes(ba).decode())
print(bytes([65, 66, 67]), bytes(4), b"ab" * 3, b"-".join([b"x", b"y"]), b"  pad ".strip())
print(int.from_bytes(b"\x01\x00", "little"), (1024).to_bytes(4, "big"), (-1).to_bytes(2, "big", signed=True))
print(sys.byteorder)
