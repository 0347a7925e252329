// JSON: stringify with replacers, indentation, toJSON and special values; parse with revivers;
// errors; a large nested document round trip.
const data = {
  name: 'Widget ✓', price: 12.5, tags: ['a', 'b'], nested: { when: new Date(Date.UTC(2024, 1, 29, 12, 0, 0)), none: null },
  skip: undefined, fn() {}, sym: Symbol('s'), nan: NaN, inf: -Infinity, negzero: -0, big: 2 ** 53 + 2,
  unicode: '\u2028\u2029 "quotes" \\ \t\n \u0001 \ud83d\ude00 \ud800', map: new Map([[1, 2]]), set: new Set([1]),
  arr: [undefined, function () {}, Symbol('x'), 1], money: { toJSON() { return '$12.50'; } },
};
console.log(JSON.stringify(data));
console.log(JSON.stringify(data, ['name', 'nested', 'when', 'tags'], 2));
console.log(JSON.stringify(data, (k, v) => (typeof v === 'number' ? Math.round(v) : v), '\t').split('\n').slice(0, 6).join('|'));
console.log(JSON.stringify([new Int8Array([1, -1]), new ArrayBuffer(2), /re/, new Error('e'), Object.create(null)]));
console.log(JSON.stringify('str'), JSON.stringify(null), JSON.stringify(undefined), JSON.stringify({ a: [] }, null, 20).length);
const revived = JSON.parse('{"d":"2024-02-29T12:00:00.000Z","n":"42","list":[1,2,{"d":"1999-12-31T23:59:59.000Z"}]}',
  (k, v) => (k === 'd' ? new Date(v).getUTCFullYear() : k === 'n' ? Number(v) : v));
console.log(revived);
for (const bad of ['{"a":1,}', "{'a':1}", '[1,2', '', 'undefined', '{"a":01}', '"\\x41"', '\u00a0{}']) {
  try {
    JSON.parse(bad);
    console.log(JSON.stringify(bad), 'parsed');
  } catch (e) {
    console.log(JSON.stringify(bad), e.name, e.message);
  }
}
console.log(JSON.parse(' [1e3, -0.5e-2, 1E+2, 0, -0, "\\u00e9\\n"] '), Object.is(JSON.parse('-0'), -0));
console.log(JSON.parse('{"__proto__": {"polluted": true}}').polluted, ({}).polluted);
function build(depth) { return depth === 0 ? { leaf: 'x'.repeat(10), n: depth } : { n: depth, kids: [build(depth - 1), build(depth - 1)] }; }
const tree = build(12);
const text = JSON.stringify(tree);
const back = JSON.parse(text);
console.log('tree', text.length, JSON.stringify(back) === text, require('crypto').createHash('sha1').update(text).digest('hex'));
const cyclic = { a: 1 };
cyclic.self = cyclic;
try { JSON.stringify(cyclic); } catch (e) { console.log(e.name, e.message.split('\n')[0]); }
try { JSON.stringify({ b: 1n }); } catch (e) { console.log(e.name, e.message); }
console.log(JSON.stringify({ deep: [[[[['x']]]]] }, null, '--'));
console.log(JSON.rawJSON ? 'has rawJSON' : 'no rawJSON', JSON[Symbol.toStringTag]);
