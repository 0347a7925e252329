// assert: passing checks, and the messages of failing ones (caught), strict and legacy modes.
const assert = require('assert');

function attempt(label, fn) {
  try {
    fn();
    console.log(label, 'passed');
  } catch (e) {
    console.log(label, e.name, e.code, JSON.stringify({ actual: e.actual, expected: e.expected, operator: e.operator }));
    console.log(e.message.split('\n').map((l) => '  | ' + l).join('\n'));
  }
}
attempt('ok', () => assert.ok(1));
attempt('equal', () => assert.equal(1, '1'));
attempt('strictEqual', () => assert.strictEqual(1, '1'));
attempt('deepStrictEqual', () => assert.deepStrictEqual({ a: [1, 2, 3], b: { c: 'x' } }, { a: [1, 2, 4], b: { c: 'x' } }));
attempt('deepEqual loose', () => assert.deepEqual({ a: 1 }, { a: '1' }));
attempt('notDeepStrictEqual', () => assert.notDeepStrictEqual(new Set([1]), new Set([1])));
attempt('throws', () => assert.throws(() => { throw new TypeError('bad type'); }, TypeError));
attempt('throws regex', () => assert.throws(() => { throw new Error('abc'); }, /xyz/));
attempt('throws object', () => assert.throws(() => { throw new RangeError('out'); }, { name: 'RangeError', message: 'out' }));
attempt('doesNotThrow', () => assert.doesNotThrow(() => { throw new Error('oops'); }, 'should not throw'));
attempt('match', () => assert.match('hello world', /^world/));
attempt('fail', () => assert.fail('explicit failure'));
attempt('custom message', () => assert.strictEqual(2 + 2, 5, 'arithmetic is broken'));
attempt('error message', () => assert.ok(false, new RangeError('custom error object')));
attempt('ifError', () => assert.ifError(null));
attempt('strict mode', () => assert.strict.equal([1], [1]));
attempt('long strings', () => assert.strictEqual('line one\nline two\nline three\n', 'line one\nline 2\nline three\n'));
attempt('NaN', () => assert.strictEqual(NaN, NaN));
attempt('-0', () => assert.deepStrictEqual(-0, 0));
async function main() {
  await assert.rejects(Promise.reject(new Error('async no')), /async no/);
  console.log('rejects passed');
  try {
    await assert.doesNotReject(async () => { throw new Error('rejected after all'); });
  } catch (e) {
    console.log('doesNotReject', e.code, e.message.split('\n')[0]);
  }
  const e = new assert.AssertionError({ actual: 1, expected: 2, operator: 'strictEqual' });
  console.log('constructed', e.message.split('\n')[0], e.generatedMessage);
}
main();
