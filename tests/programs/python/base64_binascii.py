# base64 and binascii: every encoding both ways, checksums, hex dumps.
import base64
import binascii

raw = bytes(range(0, 256, 3)) + "héllo wörld ✓".encode()
for name in ["b64encode", "urlsafe_b64encode", "b32encode", "b32hexencode", "b16encode", "a85encode", "b85encode"]:
    enc = getattr(base64, name)(raw)
    dec = getattr(base64, name.replace("encode", "decode"))(enc)
    print(f"{name:18} {len(enc):4} {enc[:40]!r} {dec == raw}")
print(base64.encodebytes(raw * 2).decode(), end="")
print(base64.b64encode(b"\xfb\xff\xfe"), base64.urlsafe_b64encode(b"\xfb\xff\xfe"))
print(base64.b64decode("aGVsbG8="), base64.b64decode(b"aGVs bG8=\n", validate=False))
try:
    base64.b64decode("aGVsbG8", validate=True)
except binascii.Error as e:
    print("binascii.Error:", e)
print(binascii.hexlify(b"\x00\x01\xfe\xff", "-"), binascii.unhexlify("deadbeef"), bytes.fromhex("ca fe").hex(":"))
print(binascii.crc32(raw), binascii.crc_hqx(raw, 0), binascii.b2a_base64(b"xyz", newline=False))
print(binascii.b2a_qp("naïve café = ok".encode()), binascii.a2b_qp(b"caf=C3=A9"))
for offset in range(0, 48, 16):
    chunk = raw[offset:offset + 16]
    text = "".join(chr(c) if 32 <= c < 127 else "." for c in chunk)
    print(f"{offset:08x}  {chunk.hex(' '):<47}  |{text}|")
