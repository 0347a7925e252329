// AbortController and AbortSignal: listeners, reasons, throwIfAborted, AbortSignal.any,
// cancelling a timer promise and an fs read, and events.addAbortListener.
const { setTimeout: sleep } = require('timers/promises');
const fs = require('fs');

const ac = new AbortController();
const seen = [];
ac.signal.addEventListener('abort', (e) => seen.push(`listener1 ${e.type}`));
ac.signal.onabort = () => seen.push('onabort');
ac.signal.addEventListener('abort', () => seen.push('once'), { once: true });
console.log('before', ac.signal.aborted, ac.signal.reason);
ac.abort(new Error('stop now'));
ac.abort('second abort ignored');
console.log('after', ac.signal.aborted, ac.signal.reason.message, seen);
try { ac.signal.throwIfAborted(); } catch (e) { console.log('throwIfAborted', e.message); }
const plain = new AbortController();
plain.abort();
console.log('default reason', plain.signal.reason.name, plain.signal.reason.message, plain.signal.reason.code);
const pre = AbortSignal.abort('pre');
console.log('AbortSignal.abort', pre.aborted, pre.reason);
async function main() {
  const a = new AbortController(), b = new AbortController();
  const any = AbortSignal.any ? AbortSignal.any([a.signal, b.signal]) : null;
  if (any) {
    any.addEventListener('abort', () => console.log('any aborted by', any.reason));
    b.abort('b fired');
  }
  const t = AbortSignal.timeout(30);
  try {
    await sleep(5000, null, { signal: t });
  } catch (e) {
    console.log('timeout signal', e.name, t.reason.name, t.reason.message);
  }
  const c = new AbortController();
  const p = fs.promises.readFile('/proc/self/exe' === '' ? '' : __filename === undefined ? '' : '/etc/os-release', { signal: c.signal });
  c.abort();
  try { await p; console.log('read finished before abort'); } catch (e) { console.log('read aborted', e.name); }
  const { addAbortListener } = require('events');
  if (addAbortListener) {
    const d = new AbortController();
    const disposable = addAbortListener(d.signal, () => console.log('addAbortListener fired'));
    d.abort();
    console.log('disposable', typeof disposable[Symbol.dispose]);
  }
  const e = new AbortController();
  const work = new Promise((resolve, reject) => {
    const timer = setTimeout(resolve, 5000, 'finished');
    e.signal.addEventListener('abort', () => { clearTimeout(timer); reject(e.signal.reason); });
  });
  setTimeout(() => e.abort(new RangeError('cancelled work')), 10);
  await work.catch((err) => console.log('custom cancellation', err.name, err.message));
}
main();
