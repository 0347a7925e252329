// Generators: lazy pipelines, delegation, return/throw, infinite sequences, iterator helpers.
function* naturals(from = 1) { for (let n = from; ; n++) yield n; }
function* take(it, n) { for (const x of it) { if (n-- <= 0) return; yield x; } }
function* filter(it, p) { for (const x of it) if (p(x)) yield x; }
function* map(it, f) { for (const x of it) yield f(x); }
function* primes() { const seen = []; for (const n of naturals(2)) if (seen.every((p) => n % p)) { seen.push(n); yield n; } }
console.log([...take(primes(), 20)].join(' '));
console.log([...take(map(filter(naturals(), (n) => n % 3 === 0), (n) => n * n), 8)]);
function* inner() { const got = yield 'inner 1'; console.log('inner received', got); yield 'inner 2'; return 'inner result'; }
function* outer() { yield 'outer start'; const r = yield* inner(); yield `outer got ${r}`; }
const g = outer();
console.log(g.next().value, g.next().value, g.next('hello').value, g.next().value, g.next());
function* guarded() { try { yield 1; yield 2; } catch (e) { yield `caught ${e}`; } finally { console.log('cleanup ran'); } }
const h = guarded();
console.log(h.next(), h.throw('boom'), h.next());
const r = guarded();
r.next();
console.log(r.return('early'), r.next());
function* fibs() { let [a, b] = [0, 1]; for (;;) { yield a; [a, b] = [b, a + b]; } }
const [x0, x1, , x3, ...rest] = take(fibs(), 10);
console.log(x0, x1, x3, rest);
class Tree {
  constructor(v, l = null, r = null) { this.v = v; this.l = l; this.r = r; }
  *[Symbol.iterator]() { if (this.l) yield* this.l; yield this.v; if (this.r) yield* this.r; }
}
const t = new Tree(5, new Tree(3, new Tree(1), new Tree(4)), new Tree(8, null, new Tree(9)));
console.log('in-order', [...t], Math.max(...t));
const entries = Object.entries({ a: 1, b: 2 })[Symbol.iterator]();
console.log(entries.next(), typeof entries[Symbol.iterator]);
function* chunk(arr, n) { for (let i = 0; i < arr.length; i += n) yield arr.slice(i, i + n); }
console.log([...chunk([...'abcdefghij'], 3)].map((c) => c.join('')));
const helper = typeof Iterator !== 'undefined' && Iterator.prototype.take;
console.log(helper ? 'iterator helpers' : 'no iterator helpers');
const it = { from: 1, to: 4, [Symbol.iterator]() { let c = this.from, t2 = this.to; return { next: () => (c <= t2 ? { value: c++, done: false } : { value: undefined, done: true }), return() { console.log('iterator closed'); return { done: true }; } }; } };
for (const v of it) { if (v === 2) break; }
console.log(Array.from(it), Array.from({ length: 3 }, (_, i) => i * i));
