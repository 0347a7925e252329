// stdout and stderr written alternately by every console method and by the streams directly;
// each stream must keep its own order.
for (let i = 0; i < 200; i++) {
  console.log(`out ${i}`);
  console.error(`err ${i}`);
  if (i % 50 === 0) {
    console.warn('warn', i);
    console.info('info', i);
    console.debug('debug', i);
    process.stdout.write(`raw out ${i}\n`);
    process.stderr.write(`raw err ${i}\n`);
    console.trace === undefined || console.table([{ a: i, b: 'x' }]);
  }
}
console.assert(1 === 2, 'assertion message to stderr');
console.dir({ nested: { deeper: { deepest: { gone: 1 } } } }, { depth: 1 });
console.count(); console.count('label'); console.count(); console.countReset(); console.count();
console.group('Group A');
console.log('inside A');
console.group();
console.error('inside nested (stderr)');
console.groupEnd();
console.groupEnd();
console.log('%s has %d items costing %f', 'cart', 3, 9.99, 'extra');
process.stdout.write(Buffer.from('bytes via Buffer\n'));
process.stderr.write('last stderr line\n', () => process.stdout.write('callback after stderr write\n'));
