// path.posix and path.win32 on fixed inputs.
const path = require('path');

const inputs = ['/usr/lib/node/../share/./doc/', 'a/b/../../c', '', '.', '..', '/', '//x//y//',
  'file.tar.gz', '.bashrc', '/home/user/archive.v2.', 'dir/sub/', '~/x'];
for (const p of inputs) {
  console.log(JSON.stringify(p), '->', JSON.stringify({
    normalize: path.normalize(p), dirname: path.dirname(p), basename: path.basename(p),
    extname: path.extname(p), isAbsolute: path.isAbsolute(p), parse: path.parse(p),
  }));
}
console.log(path.join('/a', 'b', '../c', './d'), path.join('a', '', 'b/'), path.join());
console.log(path.resolve('/srv', 'www', '../logs', 'x.log'), path.resolve('/a', '/b', 'c'));
console.log(path.relative('/data/orandea/test/aaa', '/data/orandea/impl/bbb'), path.relative('/a', '/a'));
console.log(path.format({ root: '/', dir: '/home/u', base: 'f.txt' }), path.format({ name: 'n', ext: 'e' }));
console.log(path.basename('/x/y/report.pdf', '.pdf'), path.sep, path.delimiter, path.posix === path);
console.log(path.win32.join('C:\\Users', 'me', '..', 'Public'), path.win32.parse('C:\\dir\\file.txt'));
console.log(path.win32.isAbsolute('C:/x'), path.win32.normalize('C:////a\\b/../c'), path.toNamespacedPath('/x'));
console.log(path.matchesGlob ? 'has matchesGlob' : 'no matchesGlob');
