// worker_threads: Workers from eval code, workerData, message passing both ways, a
// MessageChannel, SharedArrayBuffer with Atomics, and errors and exit codes of workers.
const { Worker, MessageChannel, isMainThread, threadId } = require('worker_threads');

function runWorker(code, workerData, onMessage) {
  return new Promise((resolve, reject) => {
    const w = new Worker(code, { eval: true, workerData });
    const messages = [];
    w.on('message', (m) => { messages.push(m); if (onMessage) onMessage(w, m); });
    w.on('error', (e) => messages.push(`error: ${e.message}`));
    w.on('exit', (code) => resolve({ code, messages }));
  });
}

async function main() {
  console.log('main thread', isMainThread, threadId);
  const primes = await runWorker(`
    const { parentPort, workerData, isMainThread } = require('worker_threads');
    const out = [];
    for (let n = 2; out.length < workerData.count; n++) if (out.every((p) => n % p)) out.push(n);
    parentPort.postMessage({ isMainThread, primes: out });
  `, { count: 15 });
  console.log('primes', primes.code, JSON.stringify(primes.messages));

  const echo = await new Promise((resolve) => {
    const w = new Worker(`
      const { parentPort } = require('worker_threads');
      parentPort.on('message', (m) => {
        if (m === 'stop') { parentPort.close(); return; }
        parentPort.postMessage(m.toUpperCase());
      });
    `, { eval: true });
    const replies = [];
    w.on('message', (m) => { replies.push(m); if (replies.length === 3) w.postMessage('stop'); });
    w.on('exit', (code) => resolve({ code, replies }));
    for (const m of ['a', 'b', 'c']) w.postMessage(m);
  });
  console.log('echo', echo.code, echo.replies);

  const sab = new SharedArrayBuffer(16);
  const shared = new Int32Array(sab);
  const workers = [];
  for (let i = 0; i < 4; i++) {
    workers.push(runWorker(`
      const { workerData } = require('worker_threads');
      const a = new Int32Array(workerData.sab);
      for (let i = 0; i < 10000; i++) Atomics.add(a, 0, 1);
      Atomics.add(a, 1, workerData.i);
    `, { sab, i }));
  }
  const ends = await Promise.all(workers);
  console.log('atomics', Array.from(shared), ends.map((e) => e.code));

  const failed = await runWorker(`throw new RangeError('worker broke')`);
  console.log('failing worker', failed.code, failed.messages);
  const exited = await runWorker(`process.exit(7)`);
  console.log('exit code', exited.code);

  const { port1, port2 } = new MessageChannel();
  const got = new Promise((r) => port2.once('message', r));
  port1.postMessage({ map: new Map([[1, 'one']]), date: new Date(0), buf: new Uint8Array([1, 2]) });
  console.log('channel', await got);
  port1.close();

  const pingPong = await new Promise((resolve) => {
    const w = new Worker(`
      const { parentPort } = require('worker_threads');
      parentPort.on('message', (n) => parentPort.postMessage(n + 1));
    `, { eval: true });
    const seq = [];
    w.on('message', (n) => { seq.push(n); if (n >= 9) w.terminate().then((c) => resolve([seq, c])); else w.postMessage(n + 1); });
    w.postMessage(0);
  });
  console.log('ping pong', pingPong[0].join(','), 'terminated', pingPong[1]);
}
main();
