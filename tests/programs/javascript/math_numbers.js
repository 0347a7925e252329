// Numbers: floating point formatting, rounding, Math functions, integer limits, parsing.
const xs = [0.1 + 0.2, 1 / 3, 2 / 3, 1e21, 1e-7, 123.456, -0, 5e-324, Number.MAX_VALUE, 2 ** 53, 2 ** 53 + 1, 0.000001, 1234.5678];
for (const x of xs) {
  console.log(String(x), x.toFixed(2), x.toPrecision(6), x.toExponential(3), x.toString(2).slice(0, 30), x.toString(36).slice(0, 20));
}
const fns = ['sin', 'cos', 'tan', 'asin', 'atan', 'exp', 'log', 'log2', 'log10', 'sqrt', 'cbrt', 'sinh', 'tanh', 'expm1', 'log1p'];
for (const f of fns) console.log(f.padEnd(6), [0.5, 1, 2, 10].map((v) => Math[f](v)).join(' '));
console.log(Math.atan2(1, -1), Math.hypot(3, 4, 12), Math.pow(2, 0.5), 2 ** -1074, Math.fround(5.5), Math.fround(5.05), Math.clz32(1), Math.imul(0xffffffff, 5));
console.log([-2.5, -1.5, -0.5, 0.5, 1.5, 2.5].map((v) => [Math.round(v), Math.floor(v), Math.ceil(v), Math.trunc(v), Math.sign(v)].join('/')).join(' '));
console.log(Number.MAX_SAFE_INTEGER, Number.MIN_SAFE_INTEGER, Number.EPSILON, Number.MIN_VALUE, Number.isSafeInteger(2 ** 53), Number.isInteger(5.0));
console.log(['42', '42px', '  3.14  ', '0x1F', '0b101', '1e3', '', '-0', 'Infinity', '1_000', '.5', '5.', '0o17'].map((s) => `${JSON.stringify(s)}:${Number(s)}/${parseInt(s)}/${parseFloat(s)}`).join(' '));
console.log(parseInt('z', 36), parseInt('777', 8), parseInt('12', 2), (255).toString(16), (0.5).toString(16), (-255 >>> 0).toString(16), 7 % -3, -7 % 3, 2 ** 31 | 0, 1 << 31, -1 >>> 28);
console.log(0.1 * 3 === 0.3, Math.abs(0.1 * 3 - 0.3) < Number.EPSILON, NaN === NaN, Object.is(NaN, NaN), [NaN].includes(NaN), [NaN].indexOf(NaN), isNaN('x'), Number.isNaN('x'));
let sum = 0;
for (let i = 1; i <= 1e6; i++) sum += 1 / (i * i);
console.log('basel', sum, Math.PI ** 2 / 6, 'kahan?', Math.abs(sum - Math.PI ** 2 / 6) < 1e-5);
const mean = (a) => a.reduce((x, y) => x + y, 0) / a.length;
const data = [2, 4, 4, 4, 5, 5, 7, 9];
const sd = Math.sqrt(mean(data.map((x) => (x - mean(data)) ** 2)));
console.log('mean', mean(data), 'sd', sd, (1234.5678).toLocaleString('en-US', { maximumFractionDigits: 2 }), Number('1e-7').toFixed(10));
console.log(Number.parseFloat('1.7976931348623159e308'), 1.7976931348623157e308 * 1.0000000000000002, -1 / 0, 0 / 0, (25).toString(2).padStart(8, '0'));
