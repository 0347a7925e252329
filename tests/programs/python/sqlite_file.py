# sqlite3 on a file under /tmp: create, commit, reopen, rollback, vacuum, and a backup copy.
import os
import sqlite3
import tempfile

workdir = tempfile.mkdtemp(dir="/tmp")
path = os.path.join(workdir, "notes.db")
con = sqlite3.connect(path)
con.execute("CREATE TABLE note (id INTEGER PRIMARY KEY, title TEXT, body TEXT)")
con.executemany("INSERT INTO note(title, body) VALUES (?, ?)", [(f"note {i}", "x" * (i * 100)) for i in range(50)])
con.commit()
con.execute("INSERT INTO note(title, body) VALUES ('uncommitted', '')")
con.rollback()
con.close()
print(os.path.exists(path), os.path.getsize(path) > 0, sorted(os.listdir(workdir)))

con = sqlite3.connect(path)
print(con.execute("SELECT COUNT(*), SUM(LENGTH(body)) FROM note").fetchone())
print(con.execute("PRAGMA journal_mode").fetchone(), con.execute("PRAGMA page_size").fetchone())
con.execute("DELETE FROM note WHERE id % 2 = 0")
con.commit()
size_before = os.path.getsize(path)
con.execute("VACUUM")
print(os.path.getsize(path) < size_before)
backup = sqlite3.connect(os.path.join(workdir, "backup.db"))
con.backup(backup)
print(backup.execute("SELECT COUNT(*), MIN(title), MAX(id) FROM note").fetchone())
backup.close()
con.close()
print(sorted(os.listdir(workdir)))
for name in os.listdir(workdir):
    os.remove(os.path.join(workdir, name))
os.rmdir(workdir)
print(os.path.exists(workdir))
