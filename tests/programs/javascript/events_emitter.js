// EventEmitter: listeners, once, prepend, removal, error events, captureRejections, events.once/on,
// EventTarget.
const EventEmitter = require('events');
const { once, on, getEventListeners } = EventEmitter;

class Job extends EventEmitter {}
const job = new Job();
const log = [];
job.on('step', (n) => log.push(`a${n}`));
job.prependListener('step', (n) => log.push(`first${n}`));
job.once('step', (n) => log.push(`once${n}`));
const removable = (n) => log.push(`r${n}`);
job.on('step', removable);
job.emit('step', 1);
job.off('step', removable);
job.emit('step', 2);
console.log(log.join(' '));
console.log(job.listenerCount('step'), job.eventNames(), job.getMaxListeners(), job.emit('nothing'));
job.on('newListener', (ev) => console.log('newListener', ev));
job.on('later', () => {});
try {
  job.emit('error', new Error('unhandled boom'));
} catch (e) {
  console.log('emit error threw', e.message);
}
job.on(EventEmitter.errorMonitor, (e) => console.log('monitor saw', e.message));
job.on('error', (e) => console.log('handled', e.message));
job.emit('error', new Error('second'));
const many = new EventEmitter();
many.setMaxListeners(1);
process.removeAllListeners('warning'); // node's own listener prints the pid
process.on('warning', (w) => console.log('warning:', w.name, w.message.split('.')[0]));
many.on('x', () => {});
many.on('x', () => {});
job.removeAllListeners('step');
console.log('after removeAll', job.listenerCount('step'), job.rawListeners('later').length);

const cap = new EventEmitter({ captureRejections: true });
cap.on('work', async () => { throw new Error('async listener failed'); });
cap.on('error', (e) => console.log('captured rejection', e.message));
cap.emit('work');

async function main() {
  const e = new EventEmitter();
  setImmediate(() => e.emit('ready', 'value', 2));
  console.log('once resolved', await once(e, 'ready'));
  setImmediate(() => { e.emit('tick', 1); e.emit('tick', 2); e.emit('tick', 3); });
  const ac = new AbortController();
  let got = [];
  try {
    for await (const [n] of on(e, 'tick', { signal: ac.signal })) {
      got.push(n);
      if (n === 3) ac.abort();
    }
  } catch (err) {
    console.log('on() ended with', err.name, got);
  }
  const target = new EventTarget();
  target.addEventListener('ping', (ev) => console.log('EventTarget', ev.type, ev instanceof Event, ev.detail), { once: true });
  target.dispatchEvent(new CustomEvent('ping', { detail: { n: 1 } }));
  target.dispatchEvent(new CustomEvent('ping', { detail: { n: 2 } }));
  console.log('listeners', getEventListeners(target, 'ping').length);
}
main();
