// An error thrown from a timer callback, with a cause and extra properties; the 'exit' handler
// still runs with code 1.
process.on('exit', (code) => console.log('exit handler', code));
class ConfigError extends Error {
  constructor(msg, options) { super(msg, options); this.name = 'ConfigError'; this.code = 'E_CONFIG'; this.details = { key: 'port', tried: [80, 8080] }; }
}
setTimeout(() => {
  console.log('in the timer');
  try {
    JSON.parse('{bad json');
  } catch (e) {
    throw new ConfigError('could not load settings', { cause: e });
  }
}, 5);
