// process.stdin as a stream: 'data' and 'end' events with an encoding, binary-safe hashing.
const crypto = require('crypto');
const hash = crypto.createHash('sha256');
let chunks = 0, bytes = 0;
const lineLengths = [];
let pending = '';
process.stdin.setEncoding('latin1');
process.stdin.on('data', (s) => {
  chunks++;
  bytes += s.length;
  hash.update(s, 'latin1');
  pending += s;
  let i;
  while ((i = pending.indexOf('\n')) >= 0) { lineLengths.push(i); pending = pending.slice(i + 1); }
});
process.stdin.on('end', () => {
  if (pending) lineLengths.push(pending.length);
  console.log('got data', chunks > 0, 'bytes', bytes, 'sha256', hash.digest('hex'));
  console.log('lines', lineLengths.length, 'longest', Math.max(...lineLengths), 'first', lineLengths.slice(0, 5));
});
process.stdin.on('close', () => console.log('closed'));
