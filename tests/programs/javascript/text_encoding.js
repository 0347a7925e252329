// TextEncoder/TextDecoder: UTF-8 with BOMs, invalid sequences, fatal mode, streaming, legacy
// encodings, encodeInto.
const enc = new TextEncoder();
const sample = 'Grüße, 世界! 😀 \u0000 end';
const bytes = enc.encode(sample);
console.log(enc.encoding, bytes.length, Buffer.from(bytes).toString('hex'));
const into = new Uint8Array(10);
console.log(enc.encodeInto('€uro 😀', into), into);
console.log(JSON.stringify(new TextDecoder().decode(new Uint8Array([0xef, 0xbb, 0xbf, 0x41, 0xff, 0x42, 0xe2, 0x82]))));
console.log(JSON.stringify(new TextDecoder('utf-8', { ignoreBOM: true }).decode(new Uint8Array([0xef, 0xbb, 0xbf, 0x41]))));
try { new TextDecoder('utf-8', { fatal: true }).decode(new Uint8Array([0x41, 0xc0, 0x80])); } catch (e) { console.log('fatal', e.name, e.code); }
const streaming = new TextDecoder();
const parts = [];
for (const b of enc.encode('😀é')) parts.push(streaming.decode(new Uint8Array([b]), { stream: true }));
parts.push(streaming.decode());
console.log(JSON.stringify(parts));
for (const label of ['utf-16le', 'utf-16be', 'latin1', 'iso-8859-2', 'windows-1252', 'shift_jis', 'euc-kr', 'gb18030', 'big5', 'koi8-r']) {
  try {
    const d = new TextDecoder(label);
    const sampleBytes = { 'utf-16le': [0x41, 0, 0x3d, 0xd8, 0x00, 0xde], 'utf-16be': [0, 0x41, 0xd8, 0x3d, 0xde, 0x00], 'shift_jis': [0x82, 0xa0, 0x93, 0xfa], 'euc-kr': [0xb0, 0xa1], 'gb18030': [0xc4, 0xe3, 0xba, 0xc3], 'big5': [0xa4, 0xa4], 'koi8-r': [0xf0, 0xd2, 0xc9] }[label] || [0x63, 0x61, 0x66, 0xe9, 0x80, 0xa9];
    console.log(label.padEnd(12), d.encoding.padEnd(12), JSON.stringify(d.decode(new Uint8Array(sampleBytes))));
  } catch (e) {
    console.log(label.padEnd(12), 'unsupported', e.name, e.code);
  }
}
console.log(Buffer.from('\ud83d', 'utf8'), enc.encode('\udc00x'), JSON.stringify('\ud800'.toWellFormed ? '\ud800'.toWellFormed() : 'n/a'));
const { TextDecoderStream, TextEncoderStream } = globalThis;
(async () => {
  const stream = new Blob([enc.encode('stream 😀 text')]).stream().pipeThrough(new TextDecoderStream());
  let out = '';
  for await (const chunk of stream) out += chunk;
  console.log('TextDecoderStream', out, typeof TextEncoderStream);
})();
