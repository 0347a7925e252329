# Text encodings: encode and decode across codecs, error handlers, BOMs, punycode and IDNA.
import codecs

s = "Zürich – 10 € – 東京"
for enc in ["utf-8", "utf-16-le", "utf-16-be", "utf-32", "latin-1", "cp1252", "iso8859-15", "shift_jis", "euc-kr", "ascii", "cp437"]:
    for errors in ["strict", "replace", "xmlcharrefreplace", "backslashreplace", "ignore"]:
        try:
            b = s.encode(enc, errors)
            print(f"{enc:10} {errors:17} {len(b):3} {b[:24].hex()}")
            break
        except UnicodeEncodeError as e:
            print(f"{enc:10} {errors:17} fails at {e.start}:{e.end} ({e.reason})")
bad = b"ok \xe2\x82 \xff end"
for errors in ["replace", "ignore", "backslashreplace", "surrogateescape"]:
    t = bad.decode("utf-8", errors)
    print(errors, ascii(t))
print(ascii(bad.decode("utf-8", "surrogateescape").encode("utf-8", "surrogateescape")))
print(codecs.BOM_UTF8, "x".encode("utf-8-sig"), b"\xef\xbb\xbfx".decode("utf-8-sig"), "x".encode("utf-16")[:2] in (codecs.BOM_LE, codecs.BOM_BE))
print("bücher-münchen".encode("punycode"), "bücher.example".encode("idna"), b"xn--bcher-kva.example".decode("idna"))
print(codecs.encode("hello", "rot13"), codecs.decode(b"68656c6c6f", "hex"), codecs.encode(b"hi", "base64"))
print(codecs.lookup("UTF8").name, codecs.lookup("latin_1").name, "€".encode("unicode_escape"), b"\\u20ac".decode("unicode_escape"))
inc = codecs.getincrementaldecoder("utf-8")()
print([inc.decode(bytes([b])) for b in "é€😀".encode()])
