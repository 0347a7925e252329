# Unicode on stdout and stderr: multi-byte text, emoji sequences, combining marks, wide tables.
import sys

rows = [("日本語", "Japanese", "こんにちは"), ("Ελληνικά", "Greek", "Καλημέρα"), ("עברית", "Hebrew", "שלום"),
        ("العربية", "Arabic", "السلام عليكم"), ("हिन्दी", "Hindi", "नमस्ते"), ("ไทย", "Thai", "สวัสดี"),
        ("Emoji", "Pictographs", "🐍🚀✨ 👨‍👩‍👧‍👦 🇫🇷 👍🏽")]
for native, english, hello in rows:
    print(f"{native}\t{english}\t{hello}")
print("combining: e\u0301 a\u030a n\u0303 \u0915\u094d\u0937")
print("math: ∀x∈ℝ: x² ≥ 0, ∑ₖ₌₁ⁿ k = n(n+1)/2, ∫₀^∞ e^(−x) dx = 1")
print("box: ┌─┬─┐ │a│b│ └─┴─┘ ░▒▓█")
print("zero width: a\u200bb\u200dc\ufeffd")
print("astral: 𝔘𝔫𝔦𝔠𝔬𝔡𝔢 𝄞 𐍈")
print("stderr: ошибка — ünïcödé ⚠", file=sys.stderr)
text = "".join(chr(c) for c in range(0x400, 0x500)) * 40
print(len(text), len(text.encode()), text[:64])
print(sys.stdout.encoding, sys.stderr.encoding, sys.getfilesystemencoding())
