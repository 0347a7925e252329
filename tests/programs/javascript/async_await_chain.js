// async/await: sequential and parallel chains, error propagation, combinators, thenables,
// async iteration, and unhandled-looking rejections that are handled later.
const sleep = (ms, v) => new Promise((r) => setTimeout(() => r(v), ms));

async function fetchUser(id) { await sleep(5 * (4 - id)); if (id === 3) throw new Error(`user ${id} missing`); return { id, name: `user${id}` }; }
async function pipelineStep(x) { await null; return x * 2; }

async function main() {
  const seq = [];
  for (const id of [0, 1, 2]) seq.push((await fetchUser(id)).name);
  console.log('sequential', seq);
  console.log('parallel', (await Promise.all([0, 1, 2].map(fetchUser))).map((u) => u.name));
  const settled = await Promise.allSettled([1, 3, 2].map(fetchUser));
  console.log('allSettled', settled.map((s) => s.status === 'fulfilled' ? s.value.id : s.reason.message));
  console.log('any', (await Promise.any([fetchUser(3), fetchUser(2), fetchUser(0)])).id);
  try {
    await Promise.any([fetchUser(3), Promise.reject(new Error('other'))]);
  } catch (e) {
    console.log('any failed', e.constructor.name, e.errors.map((x) => x.message));
  }
  let v = 1;
  for (let i = 0; i < 10; i++) v = await pipelineStep(v);
  console.log('chained', v);
  const thenable = { then(resolve) { setTimeout(() => resolve('from thenable'), 5); } };
  console.log(await thenable);
  try {
    await (async () => { await sleep(1); throw new TypeError('deep failure'); })();
  } catch (e) {
    console.log('caught', e.name, e.message);
  } finally {
    console.log('finally ran');
  }
  const late = Promise.reject(new Error('handled later'));
  await Promise.resolve(); // still in the same microtask checkpoint: not yet "unhandled"
  await late.catch((e) => console.log('late catch', e.message));
  async function* countdown(n) { while (n > 0) { await sleep(1); yield n--; } }
  const seen = [];
  for await (const x of countdown(5)) seen.push(x);
  console.log('async generator', seen);
  const { promise, resolve } = Promise.withResolvers ? Promise.withResolvers() : (() => { let r; const p = new Promise((res) => { r = res; }); return { promise: p, resolve: r }; })();
  setTimeout(() => resolve('resolved externally'), 3);
  console.log(await promise);
  const results = [];
  await Promise.all([30, 10, 20].map(async (ms, i) => { await sleep(ms); results.push(i); }));
  console.log('finish order', results);
  return 'main done';
}
main().then(console.log, (e) => { console.error('unexpected', e); process.exitCode = 1; });
process.on('exit', (code) => console.log('exit event', code));
