// Node streams: Readable.from, object mode, Transform, Duplex, pipeline, backpressure, errors.
const { Readable, Writable, Transform, PassThrough, Duplex, pipeline, finished } = require('stream');
const { pipeline: pipelineP } = require('stream/promises');

const words = 'the quick brown fox jumps over the lazy dog the end'.split(' ');
const counter = new Transform({
  readableObjectMode: true, writableObjectMode: true,
  transform(word, enc, cb) { this.counts = this.counts || new Map(); this.counts.set(word, (this.counts.get(word) || 0) + 1); cb(); },
  flush(cb) { for (const [w, n] of [...this.counts].sort()) this.push({ w, n }); cb(); },
});
const collected = [];
pipeline(Readable.from(words), counter, new Writable({
  objectMode: true,
  write(obj, enc, cb) { collected.push(`${obj.w}=${obj.n}`); cb(); },
}), (err) => {
  console.log('pipeline 1', err || 'ok', collected.join(','));
  step2();
});

function step2() {
  let reads = 0;
  const source = new Readable({
    highWaterMark: 4,
    read() { reads++; this.push(reads <= 10 ? `chunk${reads};` : null); },
  });
  const order = [];
  const slow = new Writable({
    highWaterMark: 8,
    write(chunk, enc, cb) { order.push(chunk.toString()); setImmediate(cb); },
  });
  source.pipe(slow);
  finished(slow, (err) => {
    console.log('piped', err || 'ok', order.length, order.join(''));
    step3();
  });
}

async function step3() {
  const upper = new Transform({ transform(c, e, cb) { cb(null, c.toString().toUpperCase()); } });
  const out = [];
  await pipelineP(async function* () { yield 'alpha '; yield 'beta '; yield 'gamma'; },
    upper,
    async function* (source) { for await (const c of source) yield `[${c}]`; },
    new Writable({ write(c, e, cb) { out.push(c.toString()); cb(); } }));
  console.log('generators in pipeline', out.join(''));

  const failing = new Transform({ transform(c, e, cb) { cb(new Error('transform failed on ' + c)); } });
  try {
    await pipelineP(Readable.from(['x', 'y']), failing, new PassThrough());
  } catch (e) {
    console.log('pipeline error', e.message);
  }
  const echo = new Duplex({
    read() {},
    write(c, e, cb) { this.push(c.toString().split('').reverse().join('')); cb(); },
    final(cb) { this.push(null); cb(); },
  });
  echo.end('reversed');
  let r = '';
  for await (const c of echo) r += c;
  console.log('duplex', r);
  const mapped = await Readable.from([1, 2, 3, 4, 5, 6]).filter((x) => x % 2 === 0).map((x) => x * 10).toArray();
  console.log('stream helpers', mapped, await Readable.from([1, 2, 3]).reduce((a, b) => a + b, 0));
  const pt = new PassThrough({ encoding: 'utf8' });
  pt.end(Buffer.from('héllo'));
  console.log('passthrough', await pt.toArray(), pt.readableEnded, pt.writableFinished);
  const destroyed = new Readable({ read() {} });
  destroyed.on('error', (e) => console.log('destroy error', e.message));
  destroyed.on('close', () => console.log('closed', destroyed.destroyed));
  destroyed.destroy(new Error('bye'));
}
