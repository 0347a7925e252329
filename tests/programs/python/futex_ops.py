# futex(2) operations glibc's own locks don't use but other runtimes do: FUTEX_REQUEUE,
# FUTEX_CMP_REQUEUE and FUTEX_WAKE_OP, driven through ctypes by threads blocked in raw waits
# (ctypes lets go of the GIL during the call).
import ctypes
import errno
import threading
import time

libc = ctypes.CDLL(None, use_errno=True)
SYS_futex = 202
FUTEX_WAIT, FUTEX_WAKE, FUTEX_REQUEUE, FUTEX_CMP_REQUEUE, FUTEX_WAKE_OP = 0, 1, 3, 4, 5
FUTEX_PRIVATE_FLAG = 128

words = (ctypes.c_uint32 * 2)()
A = ctypes.addressof(words)
B = A + 4


def futex(addr, op, val, val2=0, addr2=0, val3=0):
    r = libc.syscall(ctypes.c_long(SYS_futex), ctypes.c_void_p(addr),
                     ctypes.c_long(op | FUTEX_PRIVATE_FLAG), ctypes.c_long(val),
                     ctypes.c_void_p(val2), ctypes.c_void_p(addr2), ctypes.c_long(val3))
    return r if r >= 0 else "-" + errno.errorcode[ctypes.get_errno()]


def wake_op(op, oparg, cmp, cmparg):
    return (op << 28) | (cmp << 24) | ((oparg & 0xfff) << 12) | (cmparg & 0xfff)


results = []


def waiter():
    results.append(futex(A, FUTEX_WAIT, 0))


threads = [threading.Thread(target=waiter) for _ in range(4)]
for t in threads:
    t.start()
time.sleep(0.3)  # all four are waiting on A
print("cmp_requeue, wrong value:", futex(A, FUTEX_CMP_REQUEUE, 1, 2, B, 7))
print("cmp_requeue: woken or moved", futex(A, FUTEX_CMP_REQUEUE, 1, 2, B, 0))
time.sleep(0.1)
print("wake B:", futex(B, FUTEX_WAKE, 10))
time.sleep(0.1)
print("requeue the last to B:", futex(A, FUTEX_REQUEUE, 0, 5, B))
print("wake A (nobody left):", futex(A, FUTEX_WAKE, 10))
print("wake B:", futex(B, FUTEX_WAKE, 10))
for t in threads:
    t.join()
print("waits returned", sorted(results))

words[1] = 5
print("wake_op ADD 3 if old > 4:", futex(A, FUTEX_WAKE_OP, 1, 1, B, wake_op(1, 3, 4, 4)), words[1])
print("wake_op SET 1<<4 if old == 8:", futex(A, FUTEX_WAKE_OP, 1, 1, B, wake_op(8 | 0, 4, 0, 8)), words[1])
print("wake_op ANDN 1 if old != 0:", futex(A, FUTEX_WAKE_OP, 1, 1, B, wake_op(3, 16, 1, 0)), words[1])
print("wake_op bad op:", futex(A, FUTEX_WAKE_OP, 1, 1, B, wake_op(6, 0, 0, 0)), words[1])
print("requeue, negative count:", futex(A, FUTEX_REQUEUE, -1, 0, B))
