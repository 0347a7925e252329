# os and shutil: make a directory tree in /tmp, list, walk, stat, copy, move, chmod, remove.
# Only names relative to the temporary root are printed; file modes only after an explicit chmod.
import os
import shutil
import stat
import tempfile

top = tempfile.mkdtemp(dir="/tmp")
os.chdir(top)
os.makedirs("a/b/c")
os.makedirs("a/d")
os.mkdir("e")
for path, size in [("a/one.txt", 10), ("a/b/two.txt", 2000), ("a/b/c/three.log", 0), ("e/four.dat", 70000)]:
    with open(path, "wb") as f:
        f.write(b"z" * size)
print(sorted(os.listdir(".")), sorted(os.listdir("a")))
for dirpath, dirnames, filenames in sorted(os.walk("."), key=lambda w: w[0]):
    dirnames.sort()
    print(dirpath, dirnames, sorted(filenames))
with os.scandir("a") as it:
    print(sorted((e.name, e.is_dir(), e.is_file()) for e in it))
print(os.stat("e/four.dat").st_size, os.path.getsize("a/b/two.txt"), stat.S_ISDIR(os.stat("a").st_mode))
os.chmod("a/one.txt", 0o640)
print(oct(stat.S_IMODE(os.stat("a/one.txt").st_mode)), os.access("a/one.txt", os.R_OK))
shutil.copy("a/one.txt", "e/copy.txt")
shutil.copytree("a/b", "copied")
print(sorted(os.listdir("e")), sorted(os.listdir("copied")), os.path.exists("copied/c/three.log"))
os.rename("e/copy.txt", "e/moved.txt")
os.replace("e/moved.txt", "a/one.txt")
shutil.move("copied", "e/copied")
print(sorted(os.listdir("e")), open("a/one.txt", "rb").read())
os.symlink("a/b/two.txt", "link")
print(os.path.islink("link"), os.readlink("link"), os.path.getsize("link"), os.lstat("link").st_size)
os.remove("link")
os.remove("a/b/c/three.log")
os.rmdir("a/b/c")
try:
    os.rmdir("a")
except OSError as e:
    print(type(e).__name__, e.errno == 39)
try:
    os.mkdir("e")
except FileExistsError as e:
    print("FileExistsError", e.strerror)
fd = os.open("raw.bin", os.O_CREAT | os.O_WRONLY | os.O_EXCL, 0o600)
print(os.write(fd, b"0123456789"), os.lseek(fd, 0, os.SEEK_CUR))
os.close(fd)
fd = os.open("raw.bin", os.O_RDWR)
os.lseek(fd, 4, os.SEEK_SET)
print(os.read(fd, 3), os.pread(fd, 2, 8), os.fstat(fd).st_size)
os.ftruncate(fd, 5)
os.close(fd)
print(open("raw.bin", "rb").read(), os.path.getsize("raw.bin"))
usage = shutil.disk_usage(".")
print(usage.total >= usage.used)
os.chdir("/")
shutil.rmtree(top)
print(os.path.exists(top))
print(os.path.join("x", "y", "z.txt"), os.path.splitext("archive.tar.gz"), os.path.normpath("a//b/./c/../d"))
print(os.path.basename("/p/q/r.txt"), os.path.dirname("/p/q/r.txt"), os.path.commonpath(["/a/b/c", "/a/b/d"]))
print(os.sep, os.linesep == "\n", os.name, os.curdir, os.pardir, os.devnull)
