# Extended attributes: a file has none to list, and a missing path or a bad fd is reported as
# such (what shutil.copystat and tarfile meet first).
import errno
import os
import tempfile

with tempfile.NamedTemporaryFile(dir="/tmp") as f:
    print("listxattr path:", os.listxattr(f.name))
    print("listxattr fd:", os.listxattr(f.fileno()))
    print("listxattr nofollow:", os.listxattr(f.name, follow_symlinks=False))

for target in ("/tmp/no-such-file", "/no/such/dir/file"):
    try:
        os.listxattr(target)
    except OSError as e:
        print(target, errno.errorcode[e.errno])

try:
    os.listxattr(987)
except OSError as e:
    print("fd 987", errno.errorcode[e.errno])

try:
    os.getxattr("/tmp/no-such-file", "user.x")
except OSError as e:
    print("getxattr missing", errno.errorcode[e.errno])
