// A 16 MiB file on the tmpfs: written in blocks through a file descriptor, read back at
// positions, hashed, truncated and extended with a hole, and memory-light line scanning.
const fs = require('fs');
const os = require('os');
const path = require('path');
const crypto = require('crypto');

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'x-'));
try {
  const file = path.join(root, 'big.dat');
  const fd = fs.openSync(file, 'w+');
  const block = Buffer.alloc(64 * 1024);
  const whole = crypto.createHash('sha256');
  for (let i = 0; i < 256; i++) {
    for (let j = 0; j < block.length; j += 4) block.writeUInt32LE((i * 65536 + j) >>> 0, j);
    fs.writeSync(fd, block);
    whole.update(block);
  }
  console.log('size', fs.fstatSync(fd).size, 'sha256', whole.digest('hex'));
  const probe = Buffer.alloc(8);
  for (const pos of [0, 4, 65536, 1 << 23, (16 << 20) - 8]) {
    fs.readSync(fd, probe, 0, 8, pos);
    console.log('at', pos, probe.readUInt32LE(0), probe.readUInt32LE(4));
  }
  console.log('read past end', fs.readSync(fd, probe, 0, 8, 16 << 20));
  fs.ftruncateSync(fd, 1000);
  fs.writeSync(fd, 'tail', 5000);
  fs.fsyncSync(fd);
  const st = fs.fstatSync(fd);
  const back = fs.readFileSync(file);
  console.log('after truncate+hole', st.size, back.subarray(1000, 5000).every((b) => b === 0), back.subarray(5000).toString());
  fs.closeSync(fd);
  const text = path.join(root, 'lines.txt');
  const out = fs.openSync(text, 'a');
  for (let i = 0; i < 20000; i++) fs.writeSync(out, `${i}\t${(i * 7919) % 100003}\n`);
  fs.closeSync(out);
  const data = fs.readFileSync(text, 'latin1');
  let max = -1, maxLine = -1, lines = 0;
  for (const line of data.split('\n')) {
    if (!line) continue;
    lines++;
    const v = Number(line.slice(line.indexOf('\t') + 1));
    if (v > max) { max = v; maxLine = Number(line.slice(0, line.indexOf('\t'))); }
  }
  console.log('lines', lines, 'max', max, 'at', maxLine, 'bytes', fs.statSync(text).size);
  const vec = [Buffer.alloc(3, 'a'), Buffer.alloc(2, 'b')];
  const vfd = fs.openSync(path.join(root, 'vec'), 'w');
  console.log('writev', fs.writev ? fs.writevSync(vfd, vec) : 'n/a');
  fs.closeSync(vfd);
  console.log('readv content', fs.readFileSync(path.join(root, 'vec'), 'utf8'));
} finally {
  fs.rmSync(root, { recursive: true, force: true });
}
