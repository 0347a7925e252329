# struct: build and parse a binary file format (header + records) in memory.
import io
import struct
import zlib

HEADER = struct.Struct("<4sHHI")
RECORD = struct.Struct("<IhdB3x8s")
records = [(i, -i * 300, i / 7, i % 2, f"item{i:03d}".encode()) for i in range(1, 11)]
body = b"".join(RECORD.pack(*r) for r in records)
blob = HEADER.pack(b"RECS", 1, RECORD.size, len(records)) + body + struct.pack("<I", zlib.crc32(body))
print(HEADER.size, RECORD.size, len(blob), blob[:24].hex())

f = io.BytesIO(blob)
magic, version, size, count = HEADER.unpack(f.read(HEADER.size))
print(magic, version, size, count)
payload = f.read(size * count)
(crc,) = struct.unpack("<I", f.read(4))
print("crc ok", crc == zlib.crc32(payload))
for rec in RECORD.iter_unpack(payload):
    print(rec[0], rec[1], f"{rec[2]:.6f}", rec[3], rec[4].decode())

print(struct.pack(">I", 0x01020304).hex(), struct.pack("<I", 0x01020304).hex(), struct.pack("=q", -2).hex())
print(struct.unpack(">f", struct.pack(">f", 3.14159))[0], struct.pack("<e", 1.5).hex(), struct.pack("<?", True))
print(struct.calcsize("@bi"), struct.calcsize("=bi"), struct.calcsize("<5s2xQ"), struct.pack("@bi", 1, 2).hex())
buf = bytearray(16)
struct.pack_into("<HH", buf, 4, 0xBEEF, 0xCAFE)
print(buf.hex(), struct.unpack_from("<H", buf, 6))
try:
    struct.pack("<B", 256)
except struct.error as e:
    print("struct.error:", e)
try:
    struct.unpack("<I", b"abc")
except struct.error as e:
    print("struct.error:", e)
