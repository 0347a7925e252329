// input-type: module
// Top-level await in a module: timers, promise chains and async iteration finish before the
// program ends, in order.
import { setTimeout as sleep } from 'node:timers/promises';

const order = [];
order.push('start');
await sleep(20);
order.push('slept');
const results = await Promise.all([1, 2, 3].map(async (n) => {
  await sleep(5 * (4 - n));
  order.push(`task ${n}`);
  return n * n;
}));
async function* numbers() {
  for (let i = 0; i < 3; i++) {
    await null;
    yield i;
  }
}
for await (const n of numbers())
  order.push(`yield ${n}`);
process.on('exit', (code) => console.log('exit', code, order.join(', ')));
console.log(results);
