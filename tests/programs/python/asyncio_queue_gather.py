# asyncio over the event loop's real fds: socketpair streams, a pipe reader, wakeups from another
# loop callback, queues, semaphores, timeouts, shields and as_completed; deterministic ordering.
import asyncio
import os
import socket


async def echo_server(reader, writer):
    while line := await reader.readline():
        writer.write(line.upper())
        await writer.drain()
    writer.close()


async def streams():
    left, right = socket.socketpair()
    server_reader, server_writer = await asyncio.open_connection(sock=right)
    server = asyncio.create_task(echo_server(server_reader, server_writer))
    reader, writer = await asyncio.open_connection(sock=left)
    for word in ("alpha", "beta", "gamma"):
        writer.write(word.encode() + b"\n")
        await writer.drain()
        print("echo", (await reader.readline()).decode().strip())
    # More than a socket buffer holds: drain() has to wait for the server to read.
    big = b"x" * 60000 + b"\n"
    for _ in range(5):
        writer.write(big)
    await writer.drain()
    print("big echo", [len(await reader.readline()) for _ in range(5)])
    writer.write_eof()
    await server
    print("eof", await reader.read())
    writer.close()
    await writer.wait_closed()


async def pipe_reader():
    loop = asyncio.get_running_loop()
    rfd, wfd = os.pipe()
    os.set_blocking(rfd, False)
    got = asyncio.Queue()
    loop.add_reader(rfd, lambda: got.put_nowait(os.read(rfd, 100)))
    loop.call_later(0.01, os.write, wfd, b"from the pipe")
    print("pipe", await got.get())
    loop.remove_reader(rfd)
    os.close(rfd)
    os.close(wfd)


async def producer_consumer():
    queue = asyncio.Queue(maxsize=2)
    consumed = []

    async def consumer(name):
        while (item := await queue.get()) is not None:
            consumed.append((name, item))
            await asyncio.sleep(0.001)
        queue.task_done()

    consumers = [asyncio.create_task(consumer(f"c{i}")) for i in range(2)]
    for i in range(8):
        await queue.put(i)
    for _ in consumers:
        await queue.put(None)
    await asyncio.gather(*consumers)
    print("consumed", sorted(item for _, item in consumed), len(consumed))


async def limited():
    sem = asyncio.Semaphore(2)
    active, peak = 0, 0

    async def job(i):
        nonlocal active, peak
        async with sem:
            active += 1
            peak = max(peak, active)
            await asyncio.sleep(0.005)
            active -= 1
            return i * 10

    print("semaphore", await asyncio.gather(*(job(i) for i in range(5))), "peak", peak)


async def timing():
    async def after(delay, value):
        await asyncio.sleep(delay)
        return value

    order = [await t for t in asyncio.as_completed([after(0.04, "slow"), after(0.01, "fast"), after(0.025, "mid")])]
    print("as_completed", order)
    done, pending = await asyncio.wait([asyncio.create_task(after(0.01, 1)), asyncio.create_task(after(1, 2))],
                                       timeout=0.05)
    print("wait", [t.result() for t in done], len(pending))
    for t in pending:
        t.cancel()
    inner = asyncio.create_task(after(0.02, "shielded"))
    try:
        await asyncio.wait_for(asyncio.shield(inner), 0.005)
    except asyncio.TimeoutError:
        print("shield timed out, inner", await inner)
    try:
        async with asyncio.timeout(0.01):
            await asyncio.sleep(5)
    except TimeoutError:
        print("timeout context")


async def wakeups():
    loop = asyncio.get_running_loop()
    fut = loop.create_future()
    # call_soon_threadsafe writes to the loop's self-pipe, as another thread would.
    loop.call_soon_threadsafe(fut.set_result, "woken")
    print("threadsafe", await fut)
    cond = asyncio.Condition()
    state = []

    async def waiter():
        async with cond:
            await cond.wait_for(lambda: state)
            return state[0]

    task = asyncio.create_task(waiter())
    await asyncio.sleep(0)
    async with cond:
        state.append("notified")
        cond.notify_all()
    print("condition", await task)


async def main():
    await streams()
    await pipe_reader()
    await producer_consumer()
    await limited()
    await timing()
    await wakeups()


asyncio.run(main())
print("loop closed")
