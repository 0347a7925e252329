# bz2 and lzma: compress a generated CSV both ways, incremental decompression, xz and raw filters.
import bz2
import lzma

rows = "\n".join(f"{i},{i * i},{'abcdefghij'[i % 10] * (i % 7)}" for i in range(5000)).encode()
b = bz2.compress(rows, compresslevel=9)
print("bz2", len(b), bz2.decompress(b) == rows, b[:4])
dec = bz2.BZ2Decompressor()
out = b"".join(dec.decompress(b[i:i + 500]) for i in range(0, len(b), 500))
print("bz2 streamed", out == rows, dec.eof)

x = lzma.compress(rows, preset=6)
print("xz", len(x), lzma.decompress(x) == rows, x[:6].hex())
filters = [{"id": lzma.FILTER_DELTA, "dist": 1}, {"id": lzma.FILTER_LZMA2, "preset": 1}]
raw = lzma.compress(rows, format=lzma.FORMAT_RAW, filters=filters)
print("raw", len(raw), lzma.decompress(raw, format=lzma.FORMAT_RAW, filters=filters) == rows)
alone = lzma.compress(rows, format=lzma.FORMAT_ALONE)
print("alone", len(alone), lzma.decompress(alone) == rows)
print(lzma.is_check_supported(lzma.CHECK_SHA256), lzma.compress(b"", check=lzma.CHECK_NONE).hex())
try:
    lzma.decompress(b"garbage!")
except lzma.LZMAError as e:
    print("LZMAError:", e)
try:
    bz2.decompress(b"BZh9garbage")
except (OSError, ValueError) as e:
    print(type(e).__name__, e)
