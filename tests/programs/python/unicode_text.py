# unicodedata and Unicode output: names, categories, normalization, widths, many scripts.
import unicodedata

samples = "aÅﬁ½€ä\u0301ß✓😀中ع"
for ch in samples:
    print(f"U+{ord(ch):05X} {unicodedata.category(ch)} {unicodedata.east_asian_width(ch)} "
          f"{unicodedata.name(ch, '?')} {ch!r}")
s = "Cafe\u0301 ﬁancé Ⅻ ①"
for form in ["NFC", "NFD", "NFKC", "NFKD"]:
    n = unicodedata.normalize(form, s)
    print(form, len(n), n, n.encode("utf-8").hex())
print(unicodedata.lookup("SNOWMAN"), unicodedata.numeric("¾"), unicodedata.decimal("٧"), unicodedata.digit("²"))
print(unicodedata.mirrored("("), unicodedata.bidirectional("ع"), unicodedata.combining("\u0301"), unicodedata.unidata_version)


def strip_accents(text):
    return "".join(c for c in unicodedata.normalize("NFD", text) if unicodedata.category(c) != "Mn")


print(strip_accents("Crème brûlée à Málaga, Ångström, naïve"))
greetings = {
    "en": "Hello, world!", "de": "Grüß Gott, Welt!", "el": "Γειά σου Κόσμε!", "ru": "Привет, мир!",
    "he": "שלום עולם!", "ar": "مرحبا بالعالم!", "hi": "नमस्ते दुनिया!", "zh": "你好，世界！",
    "ja": "こんにちは世界！", "ko": "안녕하세요 세계!", "th": "สวัสดีชาวโลก!", "emoji": "👋🌍 👩‍💻🏳️‍🌈",
}
for lang, text in greetings.items():
    print(f"{lang:>5}: {text} ({len(text)} code points, {len(text.encode())} bytes)")
print("\u00e9" == "e\u0301", unicodedata.normalize("NFC", "e\u0301") == "\u00e9", "ﬀ".upper(), "ŉ".upper())
print(sorted(["zebra", "Äpfel", "apple", "Zoo", "été"]), sorted(["zebra", "Äpfel", "apple", "Zoo", "été"], key=str.casefold))
print("💩".encode("utf-16-le").hex(), len("💩".encode("utf-16-le")), "\N{GREEK SMALL LETTER ALPHA}\N{BLACK HEART SUIT}")
