#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Isolation of a JavaScript sandbox from the host: no host file, secret or identity is visible, and
there is no network. The guest code of these cases (file and network probes) only ever runs in
the guest.

One case per invocation, each its own meson test (tests/meson.build registers every case as
js-NAME, and again restored as js-snap-NAME unless it is cold_only):

    javascript/test_isolation.py --list
    javascript/test_isolation.py [--vm PATH] [--snapshot DIR] CASE

--list prints "NAME serial|parallel TIMEOUT_S cold|both|restored" per case. --snapshot DIR restores
every run of the case from that (JavaScript) snapshot instead of booting node cold.
Exit status: 0 pass, 1 fail, 77 skip (no /dev/kvm).
"""

import base64
import json
import os
import sys
import time
import uuid

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
import cases  # noqa: E402
from sandbox import check, last_json_line  # noqa: E402

CASES = cases.Cases()
case = CASES.case


def image_top_level(vm):
    """The top-level names of the guest image, from the listing the image build writes beside it
    (build/guest/guest.img.txt, the build directory found from the worker's path); None if not
    found."""
    build_root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(vm))))
    listing = os.path.join(build_root, "guest", "guest.img.txt")
    try:
        with open(listing, encoding="utf-8") as f:
            lines = f.read().splitlines()
    except OSError:
        return None
    names = set()
    for line in lines[1:]:
        fields = line.split()
        if len(fields) >= 2 and fields[1].startswith("/"):
            parts = [p for p in fields[1].split("/") if p]
            if len(parts) == 1:
                names.add(parts[0])
    return names or None


@case()
def host_files_invisible(ctx):
    """The guest's root holds only the image's directories; host files (one made just now in the
    host's /tmp, /work, /root, this test's own path and the worker binary) don't exist for it;
    /etc/hostname is the sandbox's."""
    tag = str(uuid.uuid4())
    host_tmp = f"/tmp/hostfile-{tag}"
    with open(host_tmp, "w") as f:
        f.write(f"host-secret-{tag}")
    try:
        probe = [host_tmp, "/work", "/root", os.path.abspath(__file__), ctx.vm, os.getcwd(), "/etc/shadow"]
        code = (
            "const fs = require('fs'), os = require('os');\n"
            f"const paths = {json.dumps(probe)};\n"
            "const seen = {};\n"
            "for (const p of paths) {\n"
            "  let opened;\n"
            "  try { fs.readFileSync(p); opened = 'opened'; } catch (e) { opened = e.code; }\n"
            "  seen[p] = [fs.existsSync(p), opened];\n"
            "}\n"
            "seen.root = fs.readdirSync('/').sort();\n"
            f"seen.listed = fs.readdirSync('/tmp').some((n) => n.includes('{tag}'));\n"
            "seen.hostname = fs.readFileSync('/etc/hostname', 'utf8');\n"
            "seen.nodename = os.hostname();\n"
            "console.log(JSON.stringify(seen));\n"
        )
        r = ctx.run(code)
        seen = last_json_line(r)
    finally:
        os.unlink(host_tmp)
    check(f"host-secret-{tag}" not in r.stdout, "host file content reached the guest", r)
    check(seen["listed"] is False, "the host's /tmp file is listed in the guest's /tmp", r)
    for path in probe:
        exists, opened = seen[path]
        check(exists is False, f"{path} exists in the guest", r)
        check(opened in ("ENOENT", "EACCES", "ENOTDIR"), f"opening {path} gave {opened}, expected ENOENT", r)
    image = image_top_level(ctx.vm)
    root = set(seen["root"])
    if image is not None:
        check(root == image, f"the guest's / lists {sorted(root)}, the image has {sorted(image)}", r)
    else:
        allowed = {"bin", "dev", "etc", "home", "lib", "lib32", "lib64", "proc", "sbin", "sys", "tmp", "usr", "var", "run"}
        check(root <= allowed, f"the guest's / has entries no image has: {sorted(root - allowed)}", r)
    check(not root & {"work", "root", "boot", "srv", "mnt", "opt", "media"} - (image or set()),
          "host directories are visible in the guest's /", r)
    host_hostname = None
    try:
        with open("/etc/hostname") as f:
            host_hostname = f.read()
    except OSError:
        pass
    check(seen["hostname"].strip() == seen["nodename"], "/etc/hostname is not os.hostname()", r)
    if host_hostname is not None and host_hostname.strip() != seen["nodename"]:
        check(seen["hostname"] != host_hostname, "the guest reads the host's /etc/hostname", r)


@case()
def host_secrets_unreachable(ctx):
    """/dev/kvm can't be opened; nothing the guest reads under /proc carries the worker's identity
    (its name, or a canary in its environment)."""
    canary = f"canary-{uuid.uuid4()}"
    paths = ["/dev/kvm", "/proc/self/environ", "/proc/self/cmdline", "/proc/self/status", "/proc/self/maps",
             "/proc/1/environ", "/proc/1/cmdline", "/proc/net/tcp", "/sys/class/net", "/etc/machine-id"]
    # The list travels base64-encoded: the code may show up in the guest's /proc/self/cmdline,
    # which must not then look like it names /dev/kvm.
    encoded = base64.b64encode(json.dumps(paths).encode()).decode()
    code = (
        "const fs = require('fs');\n"
        f"const paths = JSON.parse(Buffer.from('{encoded}', 'base64').toString());\n"
        "const seen = {};\n"
        "for (const p of paths) {\n"
        "  try { seen[p] = fs.readFileSync(p).subarray(0, 1 << 20).toString('base64'); } catch (e) { seen[p] = 'error:' + e.code; }\n"
        "}\n"
        "console.log(JSON.stringify(seen));\n"
    )
    r = ctx.run(code, worker_env={"SANDBOXD_TEST_CANARY": canary})
    seen = last_json_line(r)
    check(seen["/dev/kvm"].startswith("error:"), "the guest opened /dev/kvm", r)
    worker_name = os.path.basename(ctx.vm).encode()
    for path, value in seen.items():
        if value.startswith("error:"):
            continue
        content = base64.b64decode(value)
        check(canary.encode() not in content, f"the worker's environment is visible in the guest's {path}", r)
        check(worker_name not in content and b"/dev/kvm" not in content,
              f"the guest's {path} shows the host worker", r)


@case(timeout=90)
def no_network(ctx):
    """No network, and every attempt fails at once with an error code rather than hanging: TCP to
    127.0.0.1, ::1 and a public address, UDP, listening, http.get, fetch, dns.lookup and
    dns.resolve."""
    code = r"""
const net = require('net'), http = require('http'), dns = require('dns'), dgram = require('dgram');
const results = {};
const attempt = (name, start) => new Promise((resolve) => {
  const timer = setTimeout(() => { results[name] = 'HANG'; resolve(); }, 8000);
  const done = (err, ok) => { clearTimeout(timer); if (!(name in results)) results[name] = err ? String(err.code || err.name) : `ok ${ok}`; resolve(); };
  try { start(done); } catch (e) { done(e); }
});
const tcp = (port, host) => (cb) => { const s = net.connect(port, host); s.on('connect', () => { s.destroy(); cb(null, 'connected'); }); s.on('error', cb); };
Promise.all([
  attempt('tcp_local', tcp(1, '127.0.0.1')),
  attempt('tcp_v6_local', tcp(1, '::1')),
  attempt('tcp_public', tcp(80, '1.1.1.1')),
  attempt('tcp_public_dns', tcp(53, '8.8.8.8')),
  attempt('udp', (cb) => { const s = dgram.createSocket('udp4'); s.on('error', (e) => { s.close(); cb(e); });
    s.send('x', 53, '8.8.8.8', (e) => { if (e) { s.close(); cb(e); return; }
      s.on('message', () => { s.close(); cb(null, 'answer'); }); setTimeout(() => { s.close(); cb({ code: 'NO_ANSWER' }); }, 2000); }); }),
  attempt('listen', (cb) => { const srv = net.createServer(); srv.on('error', cb); srv.listen(0, '127.0.0.1', () => { srv.close(); cb(null, 'listening'); }); }),
  attempt('http_get', (cb) => http.get('http://example.com/', (res) => cb(null, res.statusCode)).on('error', cb)),
  attempt('http_get_ip', (cb) => http.get('http://1.1.1.1/', (res) => cb(null, res.statusCode)).on('error', cb)),
  attempt('fetch', (cb) => fetch('http://example.com/').then((res) => cb(null, res.status), (e) => cb(e.cause || e))),
  attempt('dns_lookup', (cb) => dns.lookup('example.com', cb)),
  attempt('dns_resolve', (cb) => dns.resolve('example.com', cb)),
  attempt('dns_resolve4_promises', (cb) => dns.promises.resolve4('example.com').then((a) => cb(null, a), cb)),
]).then(() => console.log(JSON.stringify(results)));
"""
    start = time.monotonic()
    r = ctx.run(code, timeout_ms=30000, deadline_s=60)
    wall = time.monotonic() - start
    check(r.exit_code == 0 and not r.timed_out, "the program did not finish normally", r)
    seen = last_json_line(r)
    for name, outcome in sorted(seen.items()):
        check(not outcome.startswith("ok"), f"{name} succeeded ({outcome}): there is a network", r)
        check(outcome != "HANG", f"{name} hung instead of failing", r)
        check(outcome.isupper() and outcome.replace("_", "").isalnum(), f"{name} failed without an error code: {outcome}", r)
    check(len(seen) == 12, "not every attempt reported", r)
    print(f"outcomes: {seen}; wall {wall:.2f} s")


if __name__ == "__main__":
    sys.exit(cases.behaviour_main(CASES, __doc__, "javascript"))
