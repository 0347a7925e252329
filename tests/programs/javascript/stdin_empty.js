// No stdin given: every way of reading it sees an immediate end of input, no hang, no error.
const fs = require('fs');
console.log('readFileSync', JSON.stringify(fs.readFileSync(0, 'utf8')));
let data = '';
process.stdin.setEncoding('utf8');
process.stdin.on('data', (d) => { data += d; });
process.stdin.on('end', async () => {
  console.log('stream end', JSON.stringify(data));
  const rl = require('readline').createInterface({ input: fs.createReadStream('/dev/null') });
  let n = 0;
  for await (const line of rl) n += line.length;
  console.log('readline over /dev/null', n);
});
