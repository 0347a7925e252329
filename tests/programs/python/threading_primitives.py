# Threads with every synchronization primitive; output independent of scheduling order.
import asyncio
import concurrent.futures
import queue
import threading
import time

lock = threading.Lock()
counter = 0


def add(n):
    global counter
    for _ in range(n):
        with lock:
            counter += 1


threads = [threading.Thread(target=add, args=(5000,)) for _ in range(4)]
for t in threads:
    t.start()
for t in threads:
    t.join()
print("lock counter", counter)

rlock = threading.RLock()
with rlock:
    with rlock:
        print("rlock reentrant", rlock._is_owned())

cond = threading.Condition()
items = []


def consumer():
    with cond:
        while len(items) < 3:
            cond.wait()
        print("condition saw", sorted(items))


c = threading.Thread(target=consumer)
c.start()
for i in range(3):
    with cond:
        items.append(i)
        cond.notify()
c.join()

sem = threading.BoundedSemaphore(2)
inside = []
peak = []


def limited(i):
    with sem:
        inside.append(i)
        peak.append(len(inside))
        time.sleep(0.01)
        inside.remove(i)


ts = [threading.Thread(target=limited, args=(i,)) for i in range(6)]
[t.start() for t in ts]
[t.join() for t in ts]
print("semaphore peak <= 2", max(peak) <= 2)

barrier = threading.Barrier(3)
arrived = []


def at_barrier(i):
    arrived.append(barrier.wait() >= 0)


ts = [threading.Thread(target=at_barrier, args=(i,)) for i in range(3)]
[t.start() for t in ts]
[t.join() for t in ts]
print("barrier", arrived)

local = threading.local()


def use_local(i, out):
    local.value = i
    time.sleep(0.005)
    out.append(local.value == i)


out = []
ts = [threading.Thread(target=use_local, args=(i, out)) for i in range(5)]
[t.start() for t in ts]
[t.join() for t in ts]
print("thread-local", all(out), len(out))

q = queue.Queue(maxsize=2)
results = []


def worker():
    while (item := q.get()) is not None:
        results.append(item * 2)
        q.task_done()
    q.task_done()


w = threading.Thread(target=worker)
w.start()
for i in range(10):
    q.put(i)
q.put(None)
q.join()
w.join()
print("bounded queue", sum(results))

with concurrent.futures.ThreadPoolExecutor(max_workers=3) as pool:
    futures = [pool.submit(pow, 2, i) for i in range(10)]
    print("pool", sum(f.result() for f in futures))

event = threading.Event()
print("event timeout", event.wait(0.05))
threading.Timer(0.02, event.set).start()
print("event set", event.wait(5))

t = threading.Thread(target=time.sleep, args=(0.3,))
t.start()
t.join(0.01)
print("join timeout alive", t.is_alive())
t.join()
print("joined", t.is_alive())


async def main():
    a, b = await asyncio.gather(asyncio.to_thread(sum, range(100)),
                                asyncio.to_thread(max, [3, 1, 2]))
    return a, b


print("asyncio.to_thread", asyncio.run(main()))
print("main thread", threading.current_thread() is threading.main_thread(),
      threading.active_count())
