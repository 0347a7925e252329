# pathlib: build a small project tree under /tmp, glob it, read and rewrite files, clean up.
# Only names relative to the temporary root are printed.
import shutil
import tempfile
from pathlib import Path, PurePosixPath

root = Path(tempfile.mkdtemp(prefix="proj-", dir="/tmp"))
print(root.parent, root.name.startswith("proj-"), root.is_dir())
files = {
    "README.md": "# Demo\n",
    "src/app/__init__.py": "",
    "src/app/main.py": "print('hi')\n",
    "src/app/util.py": "def f():\n    return 1\n",
    "tests/test_main.py": "def test():\n    assert True\n",
    "data/raw/2024-01.csv": "a,b\n1,2\n",
    "data/raw/2024-02.csv": "a,b\n3,4\n5,6\n",
}
for rel, text in files.items():
    p = root / rel
    p.parent.mkdir(parents=True, exist_ok=True)
    p.write_text(text, encoding="utf-8")

print(sorted(str(p.relative_to(root)) for p in root.rglob("*.py")))
print(sorted(p.name for p in (root / "data/raw").glob("*.csv")))
print(sorted(str(p.relative_to(root)) for p in root.iterdir()))
for p in sorted(root.rglob("*.csv")):
    lines = p.read_text().splitlines()
    print(p.stem, p.suffix, len(lines) - 1, "rows", p.stat().st_size, "bytes")

main = root / "src/app/main.py"
main.write_text(main.read_text().replace("hi", "hello"))
print(main.read_text(), end="")
renamed = main.rename(main.with_name("entry.py"))
print(renamed.name, main.exists(), renamed.exists(), renamed.with_suffix(".txt").name)
(root / "notes.bin").write_bytes(bytes(range(5)))
print((root / "notes.bin").read_bytes(), (root / "notes.bin").stat().st_size)
(root / "README.md").unlink()
print((root / "README.md").exists(), (root / "README.md").is_file())
try:
    (root / "missing.txt").read_text()
except FileNotFoundError as e:
    print("FileNotFoundError", e.errno, e.strerror)
try:
    (root / "src").rmdir()
except OSError as e:
    print(type(e).__name__, e.strerror)
shutil.rmtree(root)
print(root.exists())

pp = PurePosixPath("/usr/lib/python3.11/json/__init__.py")
print(pp.parts, pp.parent.name, pp.suffixes, pp.stem, pp.is_absolute(), pp.relative_to("/usr"))
print(PurePosixPath("a/b/../c").as_posix(), PurePosixPath("a") / "b" / "c.tar.gz", PurePosixPath("x.tar.gz").suffixes)
print(PurePosixPath("/a/b").match("*/b"), PurePosixPath("dir/file.py").with_stem("other"))
