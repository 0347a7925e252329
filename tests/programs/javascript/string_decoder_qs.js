// string_decoder across split multi-byte sequences, and querystring parse/stringify.
const { StringDecoder } = require('string_decoder');
const qs = require('querystring');

const bytes = Buffer.from('aé€😀z', 'utf8');
for (const enc of ['utf8', 'utf16le', 'base64', 'hex', 'latin1']) {
  const d = new StringDecoder(enc);
  const src = enc === 'utf16le' ? Buffer.from('aé€😀z', 'utf16le') : bytes;
  const parts = [];
  for (let i = 0; i < src.length; i++) parts.push(d.write(src.subarray(i, i + 1)));
  parts.push(d.end());
  console.log(enc.padEnd(8), JSON.stringify(parts.filter((p) => p !== '')), JSON.stringify(parts.join('')));
}
const d = new StringDecoder('utf8');
console.log(JSON.stringify(d.write(Buffer.from([0xe2, 0x82]))), JSON.stringify(d.end()), JSON.stringify(d.end(Buffer.from([0xff, 0x41]))));

const parsed = qs.parse('name=J%C3%BCrgen+M&tags=a&tags=b&empty=&flag&x=1%202&encoded%3Dkey=v;semi=1');
console.log(parsed, Object.getPrototypeOf(parsed));
console.log(qs.parse('a:1;b:2', ';', ':'), qs.parse('a=1&a=2&a=3', null, null, { maxKeys: 2 }));
console.log(qs.stringify({ q: 'node.js streams & pipes', page: 2, tags: ['x y', 'z'], empty: '', n: null, u: undefined, o: {} }));
console.log(qs.stringify({ a: 'b c' }, ';', ':', { encodeURIComponent: (s) => s.toUpperCase() }));
console.log(qs.escape('a b&c=d/é'), qs.unescape('%E2%82%AC%20%zz'), qs.decode === qs.parse, qs.encode === qs.stringify);
