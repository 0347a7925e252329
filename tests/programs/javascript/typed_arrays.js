// Typed arrays, ArrayBuffer and DataView: views, endianness, clamping, conversions, sorting.
const buf = new ArrayBuffer(16);
const u8 = new Uint8Array(buf);
const dv = new DataView(buf);
dv.setUint32(0, 0x01020304, false);
dv.setUint32(4, 0x01020304, true);
dv.setFloat64(8, -1.5);
console.log(u8, new Uint32Array(buf, 0, 2), dv.getInt16(0), dv.getFloat64(8), dv.getFloat32(8, true));
console.log(new Uint8ClampedArray([-5, 300, 1.5, 2.5, 254.5]), new Int8Array([127, 128, 255, -129]), new Uint16Array([-1, 65536]));
const f64 = Float64Array.from({ length: 8 }, (_, i) => Math.sin(i) * 100);
console.log(f64.map((x) => Math.round(x)), f64.reduce((a, b) => a + b).toFixed(6), Array.from(f64.sort()).map((x) => x.toFixed(3)).join(' '));
const f32 = new Float32Array([0.1, 1 / 3, 16777217, NaN, -0]);
console.log(f32, Array.from(f32, (x) => x.toString()), Object.is(f32[4], -0));
const ints = new Int32Array([5, -3, 10, 0, -3, 99]);
console.log(ints.sort(), ints.indexOf(10), ints.includes(-3), ints.subarray(1, 3), ints.slice(-2), ints.at(-1), ints.findLast((x) => x < 5));
const copy = new Int32Array(ints);
copy.set([7, 8], 4);
copy.copyWithin(0, 4);
console.log(copy, ints, copy.buffer === ints.buffer, copy.toReversed ? copy.toReversed() : 'n/a', copy.with ? copy.with(0, 1) : 'n/a');
const shared = new Uint8Array(buf, 4, 4);
shared.fill(0xaa);
console.log(u8.join(','), shared.byteOffset, shared.byteLength, buf.slice(2, 6).byteLength, ArrayBuffer.isView(dv));
const rab = ArrayBuffer.prototype.resize ? new ArrayBuffer(4, { maxByteLength: 16 }) : null;
if (rab) { const v = new Uint8Array(rab); rab.resize(12); console.log('resizable', v.length, rab.resizable, rab.maxByteLength); }
const tr = buf.transfer ? buf.slice(0).transfer(4) : null;
console.log(tr ? tr.byteLength : 'no transfer');
const big = new Float64Array(1 << 20);
for (let i = 0; i < big.length; i++) big[i] = (i * 7) % 1000;
let sum = 0;
for (const x of big) sum += x;
console.log('1M sum', sum, big.byteLength, Math.max(...big.subarray(0, 1000)));
console.log(Object.prototype.toString.call(new BigInt64Array(1)), Uint8Array.BYTES_PER_ELEMENT, Float64Array.name, new Uint8Array([1, 2, 3]).toString());
try { new Uint8Array(-1); } catch (e) { console.log(e.name, e.message); }
try { new DataView(buf).getUint32(14); } catch (e) { console.log(e.name, e.message); }
