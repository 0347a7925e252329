// process.exit(n) from inside a callback: pending timers never run, buffered output is flushed,
// the 'exit' handler runs synchronously with the code. (Less than a pipe's 64 KiB before the
// exit: node drops what a full pipe hasn't taken yet when process.exit() is called.)
const lines = [];
for (let i = 0; i < 1000; i++) lines.push(`line ${i} ${'='.repeat(i % 40)}`);
process.stdout.write(lines.join('\n') + '\n');
setTimeout(() => console.log('timer that must not run'), 200);
process.on('exit', (code) => { console.log('exit handler with', code, process.exitCode); console.error('exit stderr'); });
Promise.resolve().then(() => {
  setImmediate(() => {
    console.log('about to exit');
    process.exitCode = 9;
    process.exit(5);
    console.log('unreachable');
  });
});
