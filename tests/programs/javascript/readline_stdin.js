// readline over stdin: line events, then a word and character report.
const readline = require('readline');

const rl = readline.createInterface({ input: process.stdin, crlfDelay: Infinity, terminal: false });
const counts = new Map();
let lines = 0, chars = 0, blank = 0;
rl.on('line', (line) => {
  lines++;
  chars += line.length;
  if (!line.trim()) blank++;
  for (const w of line.toLowerCase().match(/[\p{L}']+/gu) || []) counts.set(w, (counts.get(w) || 0) + 1);
});
rl.on('close', () => {
  console.log(`lines=${lines} chars=${chars} blank=${blank} distinct=${counts.size}`);
  const top = [...counts].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).slice(0, 8);
  for (const [w, n] of top) console.log(String(n).padStart(3), w);
});
