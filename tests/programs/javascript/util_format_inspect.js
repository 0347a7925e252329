// util.format and util.inspect on a variety of values; util.types, isDeepStrictEqual, parseArgs.
const util = require('util');

console.log(util.format('%s is %d years and %i days; %f; %j; %o; %O; %%; %c.', 'Bob', 42.5, 7.9, '3.25',
  { a: [1, 2] }, [1, { b: 2 }], { c: new Map([[1, 2]]) }, 'css'));
console.log(util.format('extra', 1, 'two', { three: 3 }), util.format('%s', Symbol('s')), util.format('%d', 10n), util.format('%s', -0));
class Point { constructor(x, y) { this.x = x; this.y = y; } }
class Temp { constructor() { this.c = 21; } [util.inspect.custom]() { return `Temp<${this.c}°C>`; } }
const nested = { level1: { level2: { level3: { level4: { deep: true } } } } };
const circular = { name: 'loop' };
circular.self = circular;
const values = [
  undefined, null, true, 0, -0, 1e21, 123456789.123, NaN, -Infinity, 10n, Symbol('sym'), 'str\n"\'',
  [1, , 3], new Array(120).fill(7), { a: 1, 'b-c': 2, [Symbol('k')]: 3 }, nested, circular, new Point(1, 2),
  new Temp(), new Map([['k', { v: [1, 2] }], [{}, null]]), new Set(['a', 1, null]), new WeakMap(),
  new Date(0), /re+gex/gi, new Error('plain').message, function named() {}, () => {}, async function* ag() {},
  class Foo extends Point {}, Object.create(null), new Uint8Array([1, 2, 3]), new ArrayBuffer(4),
  Promise.resolve(42), Promise.reject(new Error('x')).catch(() => {}) && 'handled', new Proxy({ t: 1 }, {}),
  Object.assign(Object.create({ inherited: 1 }), { own: 2 }), 'x'.repeat(200), [['nested', ['arrays', ['deep', ['deeper']]]]],
  new (class extends Map {})([[1, 1]]), Object.defineProperty({}, 'getter', { get() { return 1; }, enumerable: true }),
  new Boolean(false), new String('boxed'), Symbol.iterator, globalThis.undefinedThing, [undefined, null],
];
for (const v of values) console.log(util.inspect(v));
console.log(util.inspect(nested, { depth: Infinity, compact: false }));
console.log(util.inspect({ arr: new Array(5).fill({ a: 1 }), str: 'long '.repeat(30) }, { breakLength: 40, maxArrayLength: 3, maxStringLength: 20 }));
console.log(util.inspect({ b: 2, a: 1, c: { z: 0, y: 9 } }, { sorted: true, showHidden: false }));
console.log(util.inspect([1, 2, 3], { showHidden: true }), util.inspect('s', { colors: true }));
console.log(util.inspect(new Map([[1, 2]]).entries()), util.inspect([1, 2][Symbol.iterator]()));
const t = util.types;
console.log(t.isDate(new Date()), t.isRegExp(/x/), t.isPromise(Promise.resolve()), t.isMap(new Map()),
  t.isTypedArray(new Int8Array()), t.isUint8Array(Buffer.alloc(1)), t.isAsyncFunction(async () => {}),
  t.isGeneratorFunction(function* () {}), t.isBoxedPrimitive(new Number(1)), t.isProxy(new Proxy({}, {})),
  t.isNativeError(new TypeError()), t.isArrayBuffer(new ArrayBuffer(1)), t.isSharedArrayBuffer(new SharedArrayBuffer(1)));
console.log(util.isDeepStrictEqual({ a: [1, { b: 2 }] }, { a: [1, { b: 2 }] }), util.isDeepStrictEqual([1], ['1']),
  util.isDeepStrictEqual(new Set([1, 2]), new Set([2, 1])), util.isDeepStrictEqual(NaN, NaN));
const { values: opts, positionals } = util.parseArgs({
  args: ['-v', '--name', 'x', 'file1', '--count=3', '--', '--not-an-option'],
  options: { v: { type: 'boolean', short: 'v' }, name: { type: 'string' }, count: { type: 'string' } },
  allowPositionals: true,
});
console.log(opts, positionals);
console.log(util.inspect.defaultOptions.depth, util.toUSVString ? util.toUSVString('a\ud800b') : 'n/a', util.stripVTControlCharacters('\u001b[31mred\u001b[0m'));
console.log(util.getSystemErrorName(-2), util.getSystemErrorName(-13), util.types.isExternal({}));
