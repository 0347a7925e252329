// Error codes of failing file operations, in the tmpfs and on read-only system paths.
const fs = require('fs');
const os = require('os');
const path = require('path');

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'x-'));
function attempt(label, fn) {
  try {
    const r = fn();
    console.log(label, 'ok', r === undefined ? '' : r);
  } catch (e) {
    console.log(label, e.code, e.syscall, typeof e.errno, e instanceof Error);
  }
}
try {
  fs.writeFileSync(path.join(root, 'file'), 'x');
  fs.mkdirSync(path.join(root, 'dir'));
  fs.writeFileSync(path.join(root, 'dir', 'inner'), 'y');
  attempt('read missing', () => fs.readFileSync(path.join(root, 'nope')));
  attempt('mkdir existing', () => fs.mkdirSync(path.join(root, 'dir')));
  attempt('exclusive create', () => fs.writeFileSync(path.join(root, 'file'), 'x', { flag: 'wx' }));
  attempt('file as dir', () => fs.readdirSync(path.join(root, 'file')));
  attempt('under a file', () => fs.writeFileSync(path.join(root, 'file', 'child'), 'x'));
  attempt('read a dir', () => fs.readFileSync(path.join(root, 'dir')));
  attempt('rmdir non-empty', () => fs.rmdirSync(path.join(root, 'dir')));
  attempt('unlink a dir', () => fs.unlinkSync(path.join(root, 'dir')));
  attempt('rename missing', () => fs.renameSync(path.join(root, 'missing'), path.join(root, 'other')));
  attempt('open bad flags', () => fs.openSync(path.join(root, 'file'), 'q'));
  attempt('close bad fd', () => fs.closeSync(9999));
  attempt('readlink of a file', () => fs.readlinkSync(path.join(root, 'file')));
  attempt('stat missing', () => fs.statSync(path.join(root, 'missing')));
  attempt('stat no throw', () => fs.statSync(path.join(root, 'missing'), { throwIfNoEntry: false }));
  attempt('exists missing', () => fs.existsSync(path.join(root, 'missing')));
  attempt('rm missing force', () => fs.rmSync(path.join(root, 'missing'), { force: true }));
  attempt('rm missing', () => fs.rmSync(path.join(root, 'missing')));
  attempt('dir long name', () => fs.writeFileSync(path.join(root, 'n'.repeat(300)), 'x'));
  attempt('bad arg', () => fs.readFileSync(12.5));
  attempt('bad encoding', () => fs.readFileSync(path.join(root, 'file'), 'klingon'));
} finally {
  fs.rmSync(root, { recursive: true, force: true });
}
fs.readFile(path.join(root, 'gone'), (err) => {
  console.log('callback error', err.code, err.message.startsWith('ENOENT: no such file or directory, open'));
});
