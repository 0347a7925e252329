// timers/promises: awaited timeouts and immediates, async interval iteration, abort.
const { setTimeout: sleep, setImmediate: immediate, setInterval: every, scheduler } = require('timers/promises');

async function main() {
  console.log('value', await sleep(30, 'slept'));
  console.log('immediate', await immediate('now'));
  let n = 0;
  for await (const v of every(20, 'tick')) {
    console.log('interval', ++n, v);
    if (n === 4) break;
  }
  const ac = new AbortController();
  const pending = sleep(10000, 'never', { signal: ac.signal });
  setTimeout(() => ac.abort(), 20);
  try {
    await pending;
  } catch (e) {
    console.log('aborted', e.name, e.code);
  }
  try {
    await sleep(10, null, { signal: AbortSignal.abort('already') });
  } catch (e) {
    console.log('pre-aborted', e.name, e.cause);
  }
  const results = await Promise.all([sleep(60, 'c'), sleep(20, 'a'), sleep(40, 'b')]);
  console.log('all', results);
  const order = [];
  await Promise.all([60, 20, 40, 0].map(async (ms) => { await sleep(ms); order.push(ms); }));
  console.log('completion order', order);
  console.log('race', await Promise.race([sleep(80, 'slow'), sleep(10, 'fast')]));
  if (scheduler && scheduler.wait) {
    await scheduler.wait(10);
    await scheduler.yield();
    console.log('scheduler ok');
  }
  const t0 = process.hrtime.bigint();
  await sleep(100);
  console.log('waited at least 100ms', process.hrtime.bigint() - t0 >= 99_000_000n);
}
main().then(() => console.log('done'));
