// structuredClone: deep copies of rich values, cycles, transfer, and what cannot be cloned.
const src = {
  num: 1, str: 'text', big: 10n, date: new Date(Date.UTC(2020, 0, 1)), re: /x+/gi, map: new Map([[{ k: 1 }, new Set([1, 2])]]),
  arr: [1, [2, [3]], undefined, null], u8: new Uint8Array([1, 2, 3]), f64: new Float64Array([0.5]), nested: { deep: { deeper: [1] } },
  err: new RangeError('cloned error'), boxed: new String('boxed'), negzero: -0, nan: NaN, sparse: [1, , 3],
};
src.self = src;
src.arr.push(src.nested);
const c = structuredClone(src);
console.log(c !== src, c.self === c, c.arr[4] === c.nested, c.nested !== src.nested, c.date.getTime() === src.date.getTime());
console.log(c.re.source, c.re.flags, c.re.lastIndex, [...c.map.keys()][0], [...c.map.values()][0], c.big, c.u8, c.f64);
console.log(c.err instanceof RangeError, c.err.message, c.err.name, typeof c.err.stack, c.boxed instanceof String, Object.is(c.negzero, -0), c.nan, c.sparse, 1 in c.sparse);
c.nested.deep.deeper.push(2);
console.log(src.nested.deep.deeper, c.nested.deep.deeper);
class Point { constructor() { this.x = 1; } get len() { return 1; } }
const p = structuredClone(new Point());
console.log(p, p instanceof Point, p.len, Object.getPrototypeOf(p) === Object.prototype);
for (const bad of [() => {}, Symbol('s'), { f() {} }, new WeakMap(), Promise.resolve()]) {
  try { structuredClone(bad); console.log('cloned?!'); } catch (e) { console.log(e.name, e.message); }
}
const buf = new ArrayBuffer(8);
new Uint8Array(buf).fill(9);
const moved = structuredClone({ buf }, { transfer: [buf] });
console.log('transfer', buf.byteLength, moved.buf.byteLength, new Uint8Array(moved.buf)[7]);
const withGetter = { get computed() { return 'evaluated'; } };
console.log(structuredClone(withGetter), Object.getOwnPropertyDescriptor(structuredClone(withGetter), 'computed').value);
console.log(structuredClone(new Blob(['blob data'])) instanceof Blob);
const v8 = require('v8');
const ser = v8.serialize({ a: [1, 2], m: new Map([[1, 'x']]) });
console.log('v8 serialize', ser.length, v8.deserialize(ser));
