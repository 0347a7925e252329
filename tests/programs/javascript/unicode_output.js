// Non-ASCII output: many scripts, emoji, combining marks, normalization, surrogate handling,
// and a lone surrogate, which node writes as U+FFFD.
const lines = [
  'English: The quick brown fox', 'Deutsch: Größe, Übermaß, straße', 'Français: œuvre, ça, naïve, Noël', 'Ελληνικά: Καλημέρα κόσμε',
  'Русский: Съешь же ещё этих мягких французских булок', 'עברית: שלום עולם', 'العربية: مرحبا بالعالم', 'हिन्दी: नमस्ते दुनिया',
  '中文: 你好，世界', '日本語: こんにちは世界、カタカナ', '한국어: 안녕하세요 세계', 'Emoji: 😀🎉👍🏽👨‍👩‍👧‍👦🇫🇷', 'Math: ∀x∈ℝ: x²≥0, ∑∫√∞≠≈',
  'Box: ┌─┬─┐ │ │ │ └─┴─┘', 'Combining: e\u0301 a\u0308 n\u0303',
];
for (const l of lines) console.log(`${l} | len=${l.length} cps=${[...l].length} bytes=${Buffer.byteLength(l)}`);
const s = 'Åström café ﬁ ½';
for (const f of ['NFC', 'NFD', 'NFKC', 'NFKD']) console.log(f, s.normalize(f), s.normalize(f).length, Buffer.from(s.normalize(f)).toString('hex').slice(0, 24));
console.log('😀'.codePointAt(0).toString(16), '😀'.charCodeAt(0).toString(16), String.fromCodePoint(0x1f600, 0x41), '\u{1F680}'.length);
console.log('ß'.toUpperCase(), 'İ'.toLowerCase().length, 'Σ'.toLowerCase(), 'ΌΣΟΣ'.toLowerCase(), 'ǆ'.toUpperCase());
console.log([...'naïve'].reverse().join(''), 'abc😀def'.split('').length, Array.from('abc😀def').length, 'x😀y'.at(1) === '\ud83d');
console.log('lone surrogate ->', 'a\ud800b', JSON.stringify('a\ud800b'));
process.stdout.write('direct write: ✓ ✗ → ← ★\n');
process.stdout.write(Buffer.from([0xe2, 0x82]));
process.stdout.write(Buffer.from([0xac, 0x0a]));
process.stderr.write('stderr unicode: ü € 😀\n');
