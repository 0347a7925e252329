// Copying files: fs.copyFileSync, fs.promises.copyFile, COPYFILE_EXCL and fs.cpSync of a tree.
const fs = require('fs');
const os = require('os');
const path = require('path');

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'x-'));
async function main() {
  const big = Buffer.alloc(3 * 1024 * 1024 + 17);
  for (let i = 0; i < big.length; i++) big[i] = (i * 31 + (i >> 10)) & 0xff;
  fs.writeFileSync(path.join(root, 'big.bin'), big);
  fs.writeFileSync(path.join(root, 'small.txt'), 'small file\n');
  fs.chmodSync(path.join(root, 'small.txt'), 0o600);

  fs.copyFileSync(path.join(root, 'big.bin'), path.join(root, 'big-copy.bin'));
  console.log('sync copy equal', fs.readFileSync(path.join(root, 'big-copy.bin')).equals(big));
  await fs.promises.copyFile(path.join(root, 'small.txt'), path.join(root, 'small-copy.txt'));
  console.log('async copy', JSON.stringify(fs.readFileSync(path.join(root, 'small-copy.txt'), 'utf8')),
    (fs.statSync(path.join(root, 'small-copy.txt')).mode & 0o777).toString(8));
  try {
    fs.copyFileSync(path.join(root, 'small.txt'), path.join(root, 'big.bin'), fs.constants.COPYFILE_EXCL);
  } catch (e) {
    console.log('excl', e.code);
  }
  fs.mkdirSync(path.join(root, 'tree/a/b'), { recursive: true });
  fs.writeFileSync(path.join(root, 'tree/a/b/leaf.txt'), 'leaf');
  fs.writeFileSync(path.join(root, 'tree/top.txt'), 'top');
  fs.cpSync(path.join(root, 'tree'), path.join(root, 'tree2'), { recursive: true });
  console.log('cpSync', fs.readdirSync(path.join(root, 'tree2'), { recursive: true }).sort(),
    fs.readFileSync(path.join(root, 'tree2/a/b/leaf.txt'), 'utf8'));
}
main().finally(() => fs.rmSync(root, { recursive: true, force: true }));
