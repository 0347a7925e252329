// WHATWG URL and URLSearchParams, legacy url.parse and file URL helpers, on fixed inputs.
const url = require('url');

const u = new URL('https://user:pa%20ss@EXAMPLE.com:8080/a/./b/../c%20d/é?x=1&y=two+words&x=3#frag ment');
console.log(JSON.stringify({ href: u.href, origin: u.origin, protocol: u.protocol, username: u.username,
  password: u.password, host: u.host, hostname: u.hostname, port: u.port, pathname: u.pathname,
  search: u.search, hash: u.hash }, null, 1));
console.log(u.searchParams.getAll('x'), u.searchParams.get('y'), u.searchParams.has('z'));
u.searchParams.append('z', 'a&b=c');
u.searchParams.delete('x');
u.searchParams.sort();
u.port = '443';
u.hash = '';
console.log(u.toString());
for (const [input, base] of [['../up?q', 'http://h/a/b/c'], ['//other/x', 'https://h/'], ['?only', 'http://h/p'],
  ['http://[::1]:80/', undefined], ['http://xn--nxasmq6b.com/', undefined], ['http://ΕΛΛΗΝΙΚΆ.gr/', undefined],
  ['mailto:someone@example.org', undefined], ['not a url', undefined], ['http://256.0.0.1/', undefined],
  ['http://0x7f.1/', undefined]]) {
  try {
    console.log(JSON.stringify(input), '->', new URL(input, base).href);
  } catch (e) {
    console.log(JSON.stringify(input), '->', e.code, e.name);
  }
}
console.log(URL.canParse ? URL.canParse('x:y') : 'n/a');
const p = new URLSearchParams({ b: '2', a: '1', 'sp ace': 'ü €', empty: '' });
p.append('a', '0');
console.log(p.toString(), [...p.keys()], p.size);
console.log(Object.fromEntries(new URLSearchParams('a=1&b=%20x&c&=d&a=2')));
console.log(new URLSearchParams([['k', 'v'], ['k', 'w']]).getAll('k'));
console.log(url.fileURLToPath('file:///tmp/some%20dir/f.txt'), url.pathToFileURL('/srv/a b#c?.txt').href);
console.log(url.format(new URL('http://a.com/p?q=1#h'), { fragment: false, search: false }));
const legacy = url.parse('http://user@host.com:81/path/name?query=string&a=b#hash', true);
console.log(legacy.host, legacy.pathname, legacy.query, legacy.hash, legacy.auth);
console.log(url.resolve('http://a/b/c/d;p?q', '../g'), url.resolve('/one/two', 'three'));
console.log(url.domainToASCII('español.com'), url.domainToUnicode('xn--espaol-zwa.com'));
