# Threads: a ThreadPoolExecutor mapping work, a lock-protected counter, a producer/consumer queue.
import queue
import threading
from concurrent.futures import ThreadPoolExecutor, as_completed


def work(n):
    return sum(i * i for i in range(n))


with ThreadPoolExecutor(max_workers=4) as pool:
    print(list(pool.map(work, [10, 100, 1000, 10000])))
    futures = {pool.submit(work, n): n for n in range(5)}
    print(sorted((futures[f], f.result()) for f in as_completed(futures)))

counter = 0
lock = threading.Lock()


def bump(times):
    global counter
    for _ in range(times):
        with lock:
            counter += 1


threads = [threading.Thread(target=bump, args=(5000,)) for _ in range(4)]
for t in threads:
    t.start()
for t in threads:
    t.join()
print("counter", counter)

q = queue.Queue(maxsize=5)
done = []


def producer():
    for i in range(20):
        q.put(i)
    q.put(None)


def consumer():
    while (item := q.get()) is not None:
        done.append(item * 2)


tp, tc = threading.Thread(target=producer), threading.Thread(target=consumer)
tp.start()
tc.start()
tp.join()
tc.join()
print(done)
local = threading.local()
results = []


def remember(v):
    local.value = v
    results.append(local.value)


ts = [threading.Thread(target=remember, args=(i,)) for i in range(3)]
[t.start() for t in ts]
[t.join() for t in ts]
print(sorted(results), threading.active_count(), threading.current_thread().name)
ev = threading.Event()
timer = threading.Timer(0.01, ev.set)
timer.start()
print("event", ev.wait(5))
