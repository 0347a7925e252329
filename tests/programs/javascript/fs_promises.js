// fs.promises: the same operations as async calls, awaited in sequence and in parallel.
const fsp = require('fs/promises');
const fs = require('fs');
const os = require('os');
const path = require('path');

async function main() {
  const root = await fsp.mkdtemp(path.join(os.tmpdir(), 'x-'));
  try {
    await Promise.all(['one', 'two', 'three', 'four'].map((n, i) =>
      fsp.writeFile(path.join(root, `${n}.txt`), `${n}\n`.repeat(i + 1))));
    await fsp.mkdir(path.join(root, 'sub/deeper'), { recursive: true });
    await fsp.appendFile(path.join(root, 'one.txt'), 'appended\n');
    const names = (await fsp.readdir(root)).sort();
    console.log(names);
    for (const name of names) {
      const st = await fsp.stat(path.join(root, name));
      console.log(name, st.isDirectory() ? 'dir' : st.size);
    }
    const fh = await fsp.open(path.join(root, 'four.txt'), 'r+');
    const buf = Buffer.alloc(8);
    const { bytesRead } = await fh.read(buf, 0, 8, 5);
    console.log('read at 5:', bytesRead, JSON.stringify(buf.toString()));
    await fh.write('XY', 0);
    await fh.truncate(10);
    console.log('fh stat size', (await fh.stat()).size);
    await fh.close();
    console.log(JSON.stringify(await fsp.readFile(path.join(root, 'four.txt'), 'utf8')));
    await fsp.rename(path.join(root, 'two.txt'), path.join(root, 'sub/deeper/two.txt'));
    await fsp.writeFile(path.join(root, 'sub/three-copy.txt'), await fsp.readFile(path.join(root, 'three.txt')));
    await fsp.rm(path.join(root, 'one.txt'));
    try {
      await fsp.readFile(path.join(root, 'one.txt'));
    } catch (e) {
      console.log('missing:', e.code, e.syscall, e.errno === -os.constants.errno.ENOENT);
    }
    try {
      await fsp.access(path.join(root, 'three.txt'), fs.constants.R_OK | fs.constants.W_OK);
      console.log('access ok');
    } catch (e) {
      console.log('access failed', e.code);
    }
    const walk = async (dir) => {
      const out = [];
      for (const d of (await fsp.readdir(dir, { withFileTypes: true })).sort((a, b) => a.name < b.name ? -1 : 1)) {
        const p = path.join(dir, d.name);
        out.push(path.relative(root, p) + (d.isDirectory() ? '/' : ''));
        if (d.isDirectory()) out.push(...await walk(p));
      }
      return out;
    };
    console.log(await walk(root));
    const dir = await fsp.opendir(path.join(root, 'sub'));
    const seen = [];
    for await (const d of dir) seen.push(d.name);
    console.log('opendir', seen.sort());
  } finally {
    await fsp.rm(root, { recursive: true, force: true });
  }
  console.log('removed', fs.existsSync(root));
}
main();
