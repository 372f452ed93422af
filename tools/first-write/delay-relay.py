#!/usr/bin/env python3
# A TCP relay that delays every chunk by DELAY ms in each direction: a remote store on loopback.
import asyncio, sys
LISTEN, TARGET, DELAY = int(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3]) / 1000
async def pipe(reader, writer):
    q = asyncio.Queue()
    async def sender():
        while True:
            due, data = await q.get()
            now = asyncio.get_running_loop().time()
            if due > now: await asyncio.sleep(due - now)
            if data is None: writer.close(); return
            writer.write(data); await writer.drain()
    task = asyncio.create_task(sender())
    try:
        while True:
            data = await reader.read(65536)
            await q.put((asyncio.get_running_loop().time() + DELAY, data or None))
            if not data: break
    except Exception:
        await q.put((0, None))
    await task
async def handle(cr, cw):
    try:
        ur, uw = await asyncio.open_connection('127.0.0.1', TARGET)
    except Exception:
        cw.close(); return
    await asyncio.gather(pipe(cr, uw), pipe(ur, cw), return_exceptions=True)
async def main():
    srv = await asyncio.start_server(handle, '127.0.0.1', LISTEN)
    async with srv: await srv.serve_forever()
asyncio.run(main())
