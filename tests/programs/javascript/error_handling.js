// Errors: built-in error types and their messages, causes, AggregateError, custom subclasses,
// finally ordering, and errors of common mistakes (V8's messages).
const attempts = {
  'undefined property': () => undefined.x,
  'null call': () => null(),
  'not a function': () => ({}).nope(),
  'tdz': () => { x; let x = 1; },
  'const assign': () => { const c = 1; c = 2; },
  'bad array length': () => new Array(-1),
  'stack overflow': () => { const f = () => f(); f(); },
  'toFixed range': () => (1).toFixed(101),
  'json': () => JSON.parse('{'),
  'uri': () => decodeURIComponent('%'),
  'symbol to string': () => `${Symbol('s')}`,
  'bigint mix': () => 1n + 1,
  'frozen write strict': () => { 'use strict'; Object.freeze([1]).push(2); },
  'invalid date': () => new Date(NaN).toISOString(),
  'in on primitive': () => 'a' in 'abc',
  'new arrow': () => new (() => {})(),
  'class call': () => { class K {} K(); },
  'instanceof non-callable': () => ({}) instanceof {},
  'iterate non-iterable': () => { for (const x of 5) {} },
  'destructure null': () => { const { a } = null; },
  'super before this': () => { class A {} class B extends A { constructor() { this.x = 1; super(); } } new B(); },
  'private missing': () => { class P { #p; static get(o) { return o.#p; } } P.get({}); },
  'regexp': () => new RegExp('(?<n>a)(?<n>b)'),
  'cyclic proto': () => { const a = {}; const b = Object.create(a); Object.setPrototypeOf(a, b); },
};
for (const [label, fn] of Object.entries(attempts)) {
  try { fn(); console.log(label, 'no error'); } catch (e) { console.log(label.padEnd(24), e.constructor.name.padEnd(14), e.message); }
}
const withCause = new Error('outer', { cause: new TypeError('inner') });
console.log(withCause.cause.message, 'cause' in new Error('x'), Object.keys(withCause));
const agg = new AggregateError([new Error('one'), new RangeError('two')], 'several');
console.log(agg.name, agg.message, agg.errors.map(String));
class HttpError extends Error {
  constructor(status, msg) { super(msg); this.name = 'HttpError'; this.status = status; }
  get isClient() { return this.status >= 400 && this.status < 500; }
}
const he = new HttpError(404, 'not found');
console.log(String(he), he.isClient, he instanceof Error, Object.prototype.toString.call(he), he.stack.split('\n')[0]);
const order = [];
function f() { try { order.push('try'); return 'returned'; } finally { order.push('finally'); } }
console.log(f(), order);
function g() { try { throw new Error('t'); } catch (e) { order.push('catch'); throw new Error('from catch'); } finally { order.push('finally 2'); } }
try { g(); } catch (e) { console.log(e.message, order); }
try { throw { notAnError: true }; } catch (e) { console.log(typeof e, e.notAnError, e instanceof Error); }
console.log(Error.captureStackTrace ? 'captureStackTrace' : '', typeof Error.stackTraceLimit, new Error('m').toString(), Error('no new').message);
