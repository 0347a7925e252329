// Write and read files through streams, with small chunks and a pipeline.
const fs = require('fs');
const os = require('os');
const path = require('path');
const { pipeline } = require('stream/promises');
const { Transform } = require('stream');
const readline = require('readline');

async function main() {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'x-'));
  try {
    const src = path.join(root, 'lines.txt');
    const ws = fs.createWriteStream(src, { highWaterMark: 64 });
    let drains = 0;
    ws.on('drain', () => drains++);
    for (let i = 0; i < 2000; i++) {
      if (!ws.write(`line ${i} ${'#'.repeat(i % 17)}\n`)) {
        await new Promise((r) => ws.once('drain', r));
      }
    }
    await new Promise((r) => ws.end(r));
    console.log('written', ws.bytesWritten, 'drained', drains > 0);

    const chunks = [];
    for await (const chunk of fs.createReadStream(src, { highWaterMark: 1000 })) chunks.push(chunk.length);
    console.log('chunks', chunks.length, chunks.slice(0, 3), chunks[chunks.length - 1]);

    const partial = fs.createReadStream(src, { start: 10, end: 29, encoding: 'utf8' });
    let text = '';
    for await (const s of partial) text += s;
    console.log('range', JSON.stringify(text));

    const upper = new Transform({
      transform(chunk, enc, cb) { cb(null, chunk.toString().toUpperCase()); },
    });
    const dst = path.join(root, 'upper.txt');
    await pipeline(fs.createReadStream(src), upper, fs.createWriteStream(dst));
    const rl = readline.createInterface({ input: fs.createReadStream(dst), crlfDelay: Infinity });
    let count = 0, hashes = 0, last = '';
    for await (const line of rl) { count++; hashes += (line.match(/#/g) || []).length; last = line; }
    console.log('lines', count, 'hashes', hashes, 'last', last);
    console.log('sizes equal', fs.statSync(src).size === fs.statSync(dst).size);
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
}
main().then(() => console.log('done'));
