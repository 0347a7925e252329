// Files and directories on the tmpfs: create, read, append, list, stat, rename, link, remove.
const fs = require('fs');
const os = require('os');
const path = require('path');

process.umask(0o022);
const root = fs.mkdtempSync(path.join(os.tmpdir(), 'x-'));
const rel = (p) => path.relative(root, p) || '.';
try {
  fs.mkdirSync(path.join(root, 'a', 'b', 'c'), { recursive: true });
  fs.writeFileSync(path.join(root, 'a', 'hello.txt'), 'hello world\n');
  fs.appendFileSync(path.join(root, 'a', 'hello.txt'), 'second line\n');
  fs.writeFileSync(path.join(root, 'a', 'b', 'data.bin'), Buffer.from([...Array(256).keys()]));
  fs.writeFileSync(path.join(root, 'zeta.txt'), 'z'.repeat(5000));
  fs.writeFileSync(path.join(root, 'alpha.txt'), '');

  console.log('root listing:', fs.readdirSync(root).sort());
  console.log('recursive:', fs.readdirSync(root, { recursive: true }).sort());
  const entries = fs.readdirSync(path.join(root, 'a'), { withFileTypes: true })
    .map((d) => `${d.name}:${d.isDirectory() ? 'dir' : d.isFile() ? 'file' : 'other'}`).sort();
  console.log('dirents:', entries);

  for (const p of ['a/hello.txt', 'a/b/data.bin', 'zeta.txt', 'alpha.txt', 'a/b']) {
    const st = fs.statSync(path.join(root, p));
    console.log(p, {
      size: st.isFile() ? st.size : '(dir)',
      file: st.isFile(), dir: st.isDirectory(), symlink: st.isSymbolicLink(),
      mode: (st.mode & 0o777).toString(8),
      nlink: st.isFile() ? st.nlink : '(dir)',
      mtimeAfterEpoch: st.mtimeMs > 1.6e12,
      bigint: typeof fs.statSync(path.join(root, p), { bigint: true }).size,
    });
  }

  console.log(fs.readFileSync(path.join(root, 'a', 'hello.txt'), 'utf8'));
  const bin = fs.readFileSync(path.join(root, 'a', 'b', 'data.bin'));
  console.log('bin', bin.length, bin[0], bin[255], bin.subarray(100, 104).toString('hex'));

  fs.chmodSync(path.join(root, 'zeta.txt'), 0o640);
  console.log('chmod', (fs.statSync(path.join(root, 'zeta.txt')).mode & 0o777).toString(8));
  fs.utimesSync(path.join(root, 'zeta.txt'), 1000000000, 1234567890);
  const st = fs.statSync(path.join(root, 'zeta.txt'));
  console.log('utimes', st.atimeMs, st.mtimeMs, st.mtime.toISOString());

  fs.renameSync(path.join(root, 'zeta.txt'), path.join(root, 'a', 'b', 'c', 'moved.txt'));
  console.log('after rename', fs.existsSync(path.join(root, 'zeta.txt')), fs.readdirSync(path.join(root, 'a', 'b', 'c')));
  fs.linkSync(path.join(root, 'a', 'b', 'c', 'moved.txt'), path.join(root, 'hard.txt'));
  console.log('nlink after link', fs.statSync(path.join(root, 'hard.txt')).nlink);
  fs.symlinkSync('a/hello.txt', path.join(root, 'link.txt'));
  console.log('symlink', fs.readlinkSync(path.join(root, 'link.txt')),
    fs.lstatSync(path.join(root, 'link.txt')).isSymbolicLink(),
    fs.readFileSync(path.join(root, 'link.txt'), 'utf8').split('\n')[0],
    rel(fs.realpathSync(path.join(root, 'link.txt'))));
  fs.writeFileSync(path.join(root, 'copy.txt'), fs.readFileSync(path.join(root, 'a', 'hello.txt')));
  fs.truncateSync(path.join(root, 'copy.txt'), 5);
  console.log('truncate', JSON.stringify(fs.readFileSync(path.join(root, 'copy.txt'), 'utf8')));
  fs.unlinkSync(path.join(root, 'hard.txt'));
  fs.unlinkSync(path.join(root, 'link.txt'));
  console.log('final', fs.readdirSync(root).sort());
  fs.rmSync(path.join(root, 'a'), { recursive: true });
  console.log('after rm', fs.readdirSync(root).sort());
} finally {
  fs.rmSync(root, { recursive: true, force: true });
}
console.log('cleaned', fs.existsSync(root));
