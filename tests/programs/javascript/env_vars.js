// The environment: exactly the guest's defaults plus the program's .env file.
const env = process.env;
console.log(JSON.stringify(Object.keys(env).sort()));
for (const k of ['APP_MODE', 'EMPTY', 'WITH_EQUALS', 'UNICODE', 'SPACES', 'HOME', 'USER', 'LOGNAME', 'PATH', 'LANG', 'TMPDIR']) {
  console.log(k, JSON.stringify(env[k]));
}
console.log('missing', env.NOT_SET, 'NOT_SET' in env);
env.NEW_VAR = 42;
console.log(typeof env.NEW_VAR, env.NEW_VAR);
delete env.APP_MODE;
console.log('after delete', env.APP_MODE, Object.keys(env).includes('APP_MODE'));
console.log(require('os').homedir(), require('os').tmpdir(), require('os').userInfo().username === undefined ? '' : 'has username');
