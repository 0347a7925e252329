# asyncio: tasks, gather, queues with workers, timeouts, cancellation; deterministic ordering.
import asyncio


async def fetch(name, delay, log):
    log.append(f"start {name}")
    await asyncio.sleep(delay)
    log.append(f"done {name}")
    return name.upper()


async def worker(wid, queue, results):
    while True:
        item = await queue.get()
        try:
            await asyncio.sleep(0)
            results.append((item, item * item, wid))
        finally:
            queue.task_done()


async def slow():
    await asyncio.sleep(10)


async def main():
    log = []
    print(await asyncio.gather(fetch("a", 0.03, log), fetch("b", 0.01, log), fetch("c", 0.02, log)))
    print(log)

    queue, results = asyncio.Queue(), []
    workers = [asyncio.create_task(worker(i, queue, results)) for i in range(3)]
    for n in range(10):
        queue.put_nowait(n)
    await queue.join()
    for w in workers:
        w.cancel()
    await asyncio.gather(*workers, return_exceptions=True)
    print(sorted(r[:2] for r in results))

    try:
        await asyncio.wait_for(slow(), timeout=0.05)
    except asyncio.TimeoutError:
        print("timed out")
    task = asyncio.create_task(slow())
    await asyncio.sleep(0)
    task.cancel()
    try:
        await task
    except asyncio.CancelledError:
        print("cancelled", task.cancelled())

    async with asyncio.TaskGroup() as tg:
        t1 = tg.create_task(fetch("x", 0, []))
        t2 = tg.create_task(fetch("y", 0, []))
    print(t1.result(), t2.result())
    ev = asyncio.Event()
    loop = asyncio.get_running_loop()
    loop.call_later(0.01, ev.set)
    await ev.wait()
    print("event set", ev.is_set())
    reader = asyncio.StreamReader()
    reader.feed_data(b"line one\nline two\n")
    reader.feed_eof()
    print([line async for line in reader])


asyncio.run(main())
