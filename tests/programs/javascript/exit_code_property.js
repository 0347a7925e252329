// process.exitCode: the program ends normally (the event loop drains) with the code it set;
// 'beforeExit' and 'exit' handlers see it.
process.exitCode = 4;
setTimeout(() => {
  console.log('timer still ran, exitCode', process.exitCode);
  process.exitCode = 6;
}, 20);
let beforeExitCount = 0;
process.on('beforeExit', (code) => {
  console.log('beforeExit', code, ++beforeExitCount);
  if (beforeExitCount === 1) setTimeout(() => console.log('work scheduled from beforeExit'), 5);
});
process.on('exit', (code) => {
  console.log('exit', code);
  setTimeout(() => console.log('never printed'), 0);
});
console.error('stderr line before exit');
