// AsyncLocalStorage: a request id follows its own async chain through timers, promises and
// event emitters, interleaved with other requests; async_hooks.executionAsyncId basics.
const { AsyncLocalStorage, AsyncResource, executionAsyncId } = require('async_hooks');
const EventEmitter = require('events');

const als = new AsyncLocalStorage();
const log = [];
const note = (msg) => log.push(`${als.getStore()?.id ?? '-'}:${msg}`);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const bus = new EventEmitter();
bus.on('event', () => note('event listener'));

async function handle(id, delays) {
  return als.run({ id }, async () => {
    note('start');
    for (const d of delays) { await sleep(d); note(`after ${d}`); }
    await Promise.all([sleep(1).then(() => note('parallel a')), (async () => { await null; note('parallel b'); })()]);
    setImmediate(() => note('immediate'));
    process.nextTick(() => note('nextTick'));
    bus.emit('event');
    await sleep(15);
    return als.getStore().id;
  });
}

async function main() {
  note('outside');
  const results = await Promise.all([handle('A', [10, 30]), handle('B', [20]), handle('C', [5, 5, 5])]);
  note('outside again');
  console.log('results', results);
  const byId = {};
  for (const l of log) { const [id, msg] = l.split(':'); (byId[id] ??= []).push(msg); }
  for (const [id, msgs] of Object.entries(byId).sort()) console.log(id, msgs.join(' | '));
  const bound = als.run({ id: 'bound' }, () => AsyncResource.bind(() => als.getStore().id));
  console.log('bound', bound(), als.getStore());
  console.log('exit', als.run({ id: 'x' }, () => als.exit(() => als.getStore())));
  console.log('asyncId', typeof executionAsyncId(), executionAsyncId() > 0);
  const snap = als.run({ id: 'snap' }, () => AsyncLocalStorage.snapshot ? AsyncLocalStorage.snapshot() : null);
  if (snap) console.log('snapshot', snap(() => als.getStore().id));
}
main();
