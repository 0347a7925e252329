# Local IPC and readiness: AF_UNIX socketpair, eventfd, epoll, poll and select, through the socket,
# select and selectors modules. Deterministic: only this program feeds the fds it waits on.
import errno
import os
import select
import selectors
import socket
import stat
import tempfile

a, b = socket.socketpair()
print("family", a.family.name, "type", a.type.name, "names", repr(a.getsockname()), repr(b.getpeername()))
print("is socket", stat.S_ISSOCK(os.fstat(a.fileno()).st_mode))
print("so_type", a.getsockopt(socket.SOL_SOCKET, socket.SO_TYPE) == socket.SOCK_STREAM,
      "so_error", a.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR))
a.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
print("reuseaddr", a.getsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR) != 0)
a.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 4096)
print("sndbuf", a.getsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF))

a.sendall(b"hello world")
print("peek", b.recv(5, socket.MSG_PEEK))
print("recv", b.recv(100))
b.send(b"reply")
print("recvfrom", a.recvfrom(100))
b.sendmsg([b"scat", b"ter", b"ed"])
buf1, buf2 = bytearray(4), bytearray(10)
n, anc, flags, addr = a.recvmsg_into([buf1, buf2])
print("recvmsg_into", n, bytes(buf1), bytes(buf2[: n - 4]), anc, flags)
b.setblocking(False)
try:
    b.recv(10)
except BlockingIOError as e:
    print("nonblocking recv", errno.errorcode[e.errno])
print("makefile", end=" ")
w = a.makefile("wb")
w.write(b"line 1\nline 2\n")
w.flush()
r = b.makefile("rb")
b.setblocking(True)
print(r.readline(), r.readline())

a.shutdown(socket.SHUT_WR)
print("after shut_wr", b.recv(10))
try:
    a.send(b"x")
except BrokenPipeError:
    print("send after shut_wr: BrokenPipeError")
b.send(b"still open")
print("other direction", a.recv(100))

# selectors: the default (epoll), poll and select must all agree.
for cls in (selectors.DefaultSelector, selectors.PollSelector, selectors.SelectSelector, selectors.EpollSelector):
    x, y = socket.socketpair()
    x.setblocking(False)
    y.setblocking(False)
    with cls() as sel:
        sel.register(x, selectors.EVENT_READ, "x")
        sel.register(y, selectors.EVENT_READ | selectors.EVENT_WRITE, "y")
        first = sorted((k.data, ev) for k, ev in sel.select(0))
        y.send(b"ping")
        second = sorted((k.data, ev) for k, ev in sel.select(0.01))
        x.recv(10)
        sel.modify(y, selectors.EVENT_READ, "y2")
        third = sel.select(0.02)
        sel.unregister(y)
        y.close()
        fourth = sorted((k.data, ev) for k, ev in sel.select(1))
        print(cls.__name__, first, second, third, fourth, x.recv(10))
    x.close()

# select.select with a timeout and nothing ready, then with a pipe.
rfd, wfd = os.pipe()
print("select empty", select.select([rfd], [], [], 0.01))
os.write(wfd, b"z")
print("select pipe", select.select([rfd], [wfd], [], 1) == ([rfd], [wfd], []))
os.close(wfd)
p = select.poll()
p.register(rfd, select.POLLIN)
print("poll after close", p.poll(0) == [(rfd, select.POLLIN | select.POLLHUP)])
os.close(rfd)

# eventfd counters.
efd = os.eventfd(5, os.EFD_NONBLOCK | os.EFD_CLOEXEC)
print("eventfd read", os.eventfd_read(efd))
try:
    os.eventfd_read(efd)
except BlockingIOError:
    print("eventfd empty: BlockingIOError")
os.eventfd_write(efd, 2)
os.eventfd_write(efd, 3)
print("eventfd sum", os.eventfd_read(efd))
sem = os.eventfd(2, os.EFD_SEMAPHORE | os.EFD_NONBLOCK)
print("semaphore", os.eventfd_read(sem), os.eventfd_read(sem))

# epoll directly: level, edge, oneshot, errors.
ep = select.epoll()
ep.register(efd, select.EPOLLIN)
print("epoll idle", ep.poll(0))
os.eventfd_write(efd, 1)
print("epoll level", ep.poll(0), ep.poll(0))
ep.modify(efd, select.EPOLLIN | select.EPOLLONESHOT)
print("epoll oneshot", ep.poll(0), ep.poll(0))
ep.modify(efd, select.EPOLLIN | select.EPOLLET)
print("epoll edge", ep.poll(0), ep.poll(0))
os.eventfd_read(efd)
os.eventfd_write(efd, 1)
print("epoll edge again", ep.poll(0), ep.poll(0))
try:
    ep.register(efd, select.EPOLLIN)
except FileExistsError:
    print("register twice: FileExistsError")
ep.unregister(efd)
try:
    ep.unregister(efd)
except FileNotFoundError:
    print("unregister twice: FileNotFoundError")
with tempfile.TemporaryFile() as f:
    try:
        ep.register(f.fileno(), select.EPOLLIN)
    except PermissionError:
        print("regular file: PermissionError")
try:
    ep.register(ep.fileno(), select.EPOLLIN)
except OSError as e:
    print("epoll in itself:", errno.errorcode[e.errno])
inner = select.epoll()
inner.register(sem, select.EPOLLIN)
ep.register(inner.fileno(), select.EPOLLIN)
print("nested idle", ep.poll(0))
os.eventfd_write(sem, 1)
print("nested", ep.poll(0) == [(inner.fileno(), select.EPOLLIN)])
try:
    inner.register(ep.fileno(), select.EPOLLIN)
except OSError as e:
    print("epoll loop:", errno.errorcode[e.errno])
os.eventfd_read(sem)
print("epoll timeout", ep.poll(0.01), select.epoll().poll(0.01))

# A registered fd closed behind epoll's back disappears from it.
c, d = socket.socketpair()
ep2 = select.epoll()
ep2.register(c.fileno(), select.EPOLLOUT)
print("before close", len(ep2.poll(0)))
c.close()
print("after close", ep2.poll(0))
d.close()
try:
    a.send(b"x")
except BrokenPipeError:
    print("send to a closed peer: BrokenPipeError")
print("recv from a closed peer", b.recv(10))
