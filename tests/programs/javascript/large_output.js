// A few MB of output through console.log and process.stdout.write, then a checksum line.
const crypto = require('crypto');
const h = crypto.createHash('sha256');
let total = 0;
for (let i = 0; i < 40000; i++) {
  const line = `${String(i).padStart(6, '0')} ${'abcdefghijklmnopqrstuvwxyz'.repeat(2)} ${(i * 2654435761 % 4294967296).toString(16)}`;
  console.log(line);
  h.update(line + '\n');
  total += line.length + 1;
}
const block = 'X'.repeat(1 << 20) + '\n';
for (let i = 0; i < 3; i++) { process.stdout.write(block); h.update(block); total += block.length; }
console.log(`total ${total} sha256 ${h.digest('hex')}`);
