// Event loop ordering: nextTick, microtasks, immediates and timers, each from a deterministic
// position. Timers run in the order they expire; inside an I/O callback, setImmediate always
// runs before a 0 ms timeout. (The I/O part runs last and alone: when an I/O callback comes
// relative to the timers depends on the thread pool.)
const fs = require('fs');
const log = [];

console.log('sync start');
process.nextTick(() => log.push('nextTick 1'));
Promise.resolve().then(() => log.push('promise 1')).then(() => log.push('promise 2'));
queueMicrotask(() => log.push('microtask 1'));
process.nextTick(() => {
  log.push('nextTick 2');
  Promise.resolve().then(() => log.push('promise from nextTick'));
  process.nextTick(() => log.push('nested nextTick'));
});
setTimeout(() => log.push('timeout 20'), 20);
setTimeout(() => {
  log.push('timeout 10');
  process.nextTick(() => log.push('nextTick in timeout 10'));
  Promise.resolve().then(() => log.push('promise in timeout 10'));
}, 10);
setTimeout(() => log.push('timeout 10 again'), 10);
const cancelled = setTimeout(() => log.push('cancelled!'), 5);
clearTimeout(cancelled);

let ticks = 0;
const iv = setInterval(() => {
  log.push(`interval ${++ticks}`);
  if (ticks === 3) {
    clearInterval(iv);
    setTimeout(() => {
      log.push('after interval');
      const t = setTimeout(() => log.push('unref timer fired!'), 100000);
      t.unref();
      log.push(`hasRef ${t.hasRef()}`);
      setImmediate(ioPart);
    }, 30);
  }
}, 50);

function ioPart() {
  log.push('immediate before io');
  fs.stat('/', () => {
    log.push('io callback');
    setTimeout(() => log.push('timeout 0 from io'), 0);
    setImmediate(() => {
      log.push('immediate from io');
      process.nextTick(() => log.push('nextTick in immediate'));
    });
    setImmediate(() => log.push('immediate 2 from io'));
  });
}
process.on('beforeExit', () => {
  if (log.length) console.log(log.splice(0).join('\n'));
});
console.log('sync end', typeof iv.ref, typeof iv[Symbol.toPrimitive]);
