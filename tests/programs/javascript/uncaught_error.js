// An uncaught exception at top level: what was printed stays, node prints the source line,
// the stack and its version on stderr, and the exit status is 1.
console.log('before the error');
console.error('an earlier stderr line');
function parseConfig(text) {
  const cfg = JSON.parse(text);
  if (!cfg.port) throw new TypeError(`config has no port: ${JSON.stringify(cfg)}`);
  return cfg;
}
setTimeout(() => console.log('timer never runs'), 10);
parseConfig('{"host": "localhost"}');
