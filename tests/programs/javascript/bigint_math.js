// BigInt: factorials, Fibonacci, modular exponentiation, primality, bit operations, conversions.
let f = 1n;
for (let i = 1n; i <= 100n; i++) f *= i;
console.log('100! =', f.toString(), 'digits', f.toString().length);
function fib(n) { let a = 0n, b = 1n; for (let i = 0; i < n; i++) [a, b] = [b, a + b]; return a; }
console.log('fib(500) =', fib(500));
function modpow(b, e, m) { let r = 1n; b %= m; while (e > 0n) { if (e & 1n) r = (r * b) % m; b = (b * b) % m; e >>= 1n; } return r; }
console.log('modpow', modpow(2n, 10n ** 18n, 1000000007n), modpow(3n, 2n ** 100n, 2n ** 61n - 1n));
function isProbablePrime(n) {
  if (n < 2n) return false;
  for (const p of [2n, 3n, 5n, 7n, 11n, 13n]) if (n % p === 0n) return n === p;
  let d = n - 1n, s = 0;
  while ((d & 1n) === 0n) { d >>= 1n; s++; }
  outer: for (const a of [2n, 3n, 5n, 7n, 11n, 13n, 17n, 19n, 23n, 29n, 31n, 37n]) {
    let x = modpow(a, d, n);
    if (x === 1n || x === n - 1n) continue;
    for (let r = 1; r < s; r++) { x = (x * x) % n; if (x === n - 1n) continue outer; }
    return false;
  }
  return true;
}
console.log('mersenne primes', [2, 3, 5, 7, 11, 13, 17, 19, 23, 31, 61, 89, 107, 127].filter((p) => isProbablePrime(2n ** BigInt(p) - 1n)));
console.log(BigInt.asUintN(8, 257n), BigInt.asIntN(8, 255n), BigInt.asUintN(64, -1n), (-7n) / 2n, (-7n) % 2n, 7n ** 0n);
console.log((0xdeadbeefn << 40n).toString(16), (-1n >> 100n), (123456789n & 0xffffn), (1n << 64n) | 1n, ~0n, 5n ^ 3n);
console.log(BigInt('0x1fffffffffffff') + 2n, BigInt(Number.MAX_SAFE_INTEGER) * 2n, Number(2n ** 64n), parseInt('12345678901234567890'));
console.log(BigInt('-0b1010'.replace('-', '')) * -1n, (255n).toString(2), (2n ** 100n).toString(36), BigInt.prototype.toLocaleString.call(1234567n, 'en-US'));
for (const bad of ['1.5', 'abc', '']) { try { console.log(JSON.stringify(bad), BigInt(bad)); } catch (e) { console.log(JSON.stringify(bad), e.name); } }
try { 1n + 1; } catch (e) { console.log(e.name, e.message); }
try { BigInt(1.5); } catch (e) { console.log(e.name, e.message); }
console.log(typeof 1n, 1n == 1, 1n === 1, 2n > 1, [3n, 1, 2n, -1n, 0].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)));
const arr = new BigInt64Array([1n, -1n, 2n ** 63n - 1n]);
console.log(arr, new BigUint64Array(arr.buffer), new DataView(arr.buffer).getBigUint64(0, true));
function isqrt(n) { if (n < 2n) return n; let x = n, y = (x + 1n) / 2n; while (y < x) { x = y; y = (x + n / x) / 2n; } return x; }
console.log('sqrt(2) digits', isqrt(2n * 10n ** 200n).toString());
