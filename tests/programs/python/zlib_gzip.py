# zlib and gzip: compress at every level, stream, checksums; gzip with a fixed mtime.
import gzip
import io
import zlib

text = ("Lorem ipsum dolor sit amet, consectetur adipiscing elit. " * 200).encode()
noise = bytes((i * 7919 + (i >> 3) * 104729) % 251 for i in range(20000))
for level in (0, 1, 6, 9):
    c = zlib.compress(text, level)
    print(level, len(c), zlib.decompress(c) == text, zlib.crc32(c))
print(zlib.crc32(text), zlib.adler32(text), zlib.crc32(b""), hex(zlib.crc32(b"hello world")))
print(len(zlib.compress(noise)), zlib.decompress(zlib.compress(noise)) == noise)

co = zlib.compressobj(level=9, wbits=-15)
stream = b"".join(co.compress(text[i:i + 1000]) for i in range(0, len(text), 1000)) + co.flush()
print("raw deflate", len(stream), zlib.decompress(stream, wbits=-15) == text)
do = zlib.decompressobj()
out = b""
packed = zlib.compress(text)
for i in range(0, len(packed), 7):
    out += do.decompress(packed[i:i + 7])
out += do.flush()
print("streamed", out == text, do.eof, do.unused_data)

buf = io.BytesIO()
with gzip.GzipFile(fileobj=buf, mode="wb", mtime=0, filename="") as gz:
    gz.write(text)
blob = buf.getvalue()
print("gzip", len(blob), blob[:4].hex(), zlib.crc32(blob))
print(gzip.decompress(blob) == text, gzip.compress(b"abc", mtime=0).hex())
print(zlib.decompress(blob, wbits=31) == text)
try:
    zlib.decompress(b"not compressed")
except zlib.error as e:
    print("zlib.error:", e)
print(zlib.ZLIB_VERSION[:2], zlib.MAX_WBITS)
