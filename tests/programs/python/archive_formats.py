# zipfile and tarfile: build archives with fixed timestamps in memory and under /tmp, list, extract.
import io
import os
import shutil
import tarfile
import tempfile
import zipfile

files = {"README.txt": b"read me\n", "src/main.py": b"print('hi')\n" * 50, "data/table.csv": b"a,b\n" + b"1,2\n" * 500}
buf = io.BytesIO()
with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_DEFLATED) as z:
    for name, data in files.items():
        info = zipfile.ZipInfo(name, date_time=(2024, 1, 2, 3, 4, 6))
        info.compress_type = zipfile.ZIP_DEFLATED
        z.writestr(info, data)
    z.writestr(zipfile.ZipInfo("empty/", date_time=(2024, 1, 2, 3, 4, 6)), b"")
blob = buf.getvalue()
print(len(blob), blob[:4])
with zipfile.ZipFile(io.BytesIO(blob)) as z:
    for info in z.infolist():
        print(info.filename, info.file_size, info.compress_size, info.date_time, info.is_dir())
    print(z.read("src/main.py")[:11], z.testzip())

tbuf = io.BytesIO()
with tarfile.open(fileobj=tbuf, mode="w:gz", format=tarfile.PAX_FORMAT) as t:
    for name, data in files.items():
        ti = tarfile.TarInfo(name)
        ti.size, ti.mtime, ti.mode, ti.uname, ti.gname = len(data), 1700000000, 0o644, "u", "g"
        t.addfile(ti, io.BytesIO(data))
print(len(tbuf.getvalue()) > 0)
tbuf.seek(0)
work = tempfile.mkdtemp(dir="/tmp")
with tarfile.open(fileobj=tbuf, mode="r:gz") as t:
    print([(m.name, m.size, m.mtime, oct(m.mode)) for m in t.getmembers()])
    t.extractall(work, members=[m for m in t.getmembers() if m.isfile() and not m.name.startswith(("/", ".."))])
for dirpath, dirs, names in sorted(os.walk(work)):
    rel = os.path.relpath(dirpath, work)
    print(rel, sorted(dirs), sorted(names))
with open(os.path.join(work, "data/table.csv"), "rb") as f:
    print(len(f.read()))
zip_path = shutil.make_archive(os.path.join(work, "bundle"), "zip", root_dir=work, base_dir="src")
print(os.path.basename(zip_path), zipfile.is_zipfile(zip_path), zipfile.ZipFile(zip_path).namelist())
shutil.rmtree(work)
print(os.path.exists(work))
