# difflib: unified and context diffs of two config versions, similarity ratios, close matches.
import difflib

old = """[server]
host = 0.0.0.0
port = 8080
workers = 4
timeout = 30

[database]
url = postgres://db/app
pool = 10
""".splitlines(keepends=True)
new = """[server]
host = 127.0.0.1
port = 8080
workers = 8
timeout = 30
keepalive = yes

[database]
url = postgres://db/app
""".splitlines(keepends=True)
print("".join(difflib.unified_diff(old, new, "a/app.ini", "b/app.ini", n=1)), end="")
print("".join(difflib.context_diff(old, new, "old", "new", n=0)), end="")
print("".join(difflib.ndiff(["one\n", "two\n", "three\n"], ["one\n", "tree\n", "three\n", "four\n"])), end="")
sm = difflib.SequenceMatcher(None, "private Thread currentThread;", "private volatile Thread currentThread;")
print(round(sm.ratio(), 6), sm.get_matching_blocks())
for op in sm.get_opcodes():
    print(op)
words = ["apple", "apply", "ape", "maple", "applet", "happy", "peach", "apricot"]
print(difflib.get_close_matches("appel", words), difflib.get_close_matches("pech", words, n=1, cutoff=0.5))
print(difflib.HtmlDiff().make_table(["a\n"], ["b\n"]).count("<tr>"))
