// Arguments after `node -e CODE --`: process.argv.slice(1) and util.parseArgs over them.
const { parseArgs } = require('util');
const args = process.argv.slice(1);
console.log(JSON.stringify(args));
console.log(args.length, args.map((a) => Buffer.byteLength(a)));
const { values, positionals } = parseArgs({
  args,
  options: {
    verbose: { type: 'boolean', short: 'v', multiple: true },
    output: { type: 'string', short: 'o' },
    level: { type: 'string', default: '1' },
  },
  allowPositionals: true,
  strict: false,
});
console.log(values, positionals);
console.log(process.execArgv.length, process.execArgv[0]);
