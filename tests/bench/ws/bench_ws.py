"""WebSocket feed benchmark (docs/websocket.md) on a one-host dev node.

A. Delivery rate: N sends are made and confirmed first; then S subscribers
   (S = 1, then 100) subscribe with "from" = the cursor before them and each
   receives all N. Reported: confirmations delivered per second, all
   subscribers together, from the subscribes to the last message.
B. Live: S subscribers (1, then 100) subscribed live; M sends, one at a
   time through the RPC. A subscription to the ledger's socket stamps each
   block_cemented; each client stamps its confirmation. Reported: the
   latency cemented -> delivered (p50/p99/max over every delivery).

The clients are Python (websockets, asyncio, one process), so at 100
subscribers the figures include the client's own cost.

usage: /usr/bin/python3 tests/bench/ws/bench_ws.py BUILD/supervisor/smallnanod [N] [M]
(a benchmark, never registered as a test)
"""
import asyncio
import json
import os
import struct
import sys
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "integration"))
import nodeutil  # noqa: E402
from test_node_util import DevNode, free_port  # noqa: E402

import websockets  # noqa: E402


def pct(xs, p):
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(len(xs) * p / 100))]


class Cemented(threading.Thread):
    """block_cemented arrival times on run/ledger.sock, by hash."""

    def __init__(self, path):
        super().__init__(daemon=True)
        self.c = nodeutil.Client(path, timeout=60.0)
        self.c.request("subscribe")
        self.at = {}

    def run(self):
        try:
            while True:
                (n,) = struct.unpack(">I", self.c._read(4))
                msg, _ = nodeutil.mp_unpack(self.c._read(n))
                if msg.get("kind") == "block_cemented":
                    self.at[bytes(msg["hash"]).hex().upper()] = time.perf_counter()
        except Exception:  # noqa: BLE001 - the node went away at the end
            pass


async def client(url, n, options, stamps=None, ready=None):
    async with websockets.connect(url, max_queue=None) as w:
        await w.send(json.dumps({"action": "subscribe", "topic": "confirmation", "ack": True,
                                 "options": options}))
        json.loads(await w.recv())
        if ready:
            ready.set_result(None) if not ready.done() else None
        got = 0
        while got < n:
            m = json.loads(await asyncio.wait_for(w.recv(), 120))
            if m.get("topic") != "confirmation":
                continue
            got += 1
            if stamps is not None:
                stamps.append((m["message"]["hash"], time.perf_counter()))
        return time.perf_counter()


def cpu_s(pid):
    """user+system CPU seconds of a process so far."""
    with open("/proc/%d/stat" % pid) as f:
        st = f.read()
    fields = st[st.rfind(")") + 2:].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def sends(node, demo, src, dst, count):
    return [node.ok("send", wallet=demo, source=src, destination=dst, amount="1")["block"]
            for _ in range(count)]


def main():
    smallnanod = sys.argv[1]
    n = int(sys.argv[2]) if len(sys.argv) > 2 else 2000
    m = int(sys.argv[3]) if len(sys.argv) > 3 else 200
    port = free_port()
    cfg = "[rpc]\nauto_receive = false\n[ws]\nport = %d\n" % port
    with DevNode(smallnanod, config=cfg) as node:
        url = "ws://127.0.0.1:%d" % port
        demo, genesis = node.demo()
        dest = node.ok("key_create")["account"]
        cem = Cemented(node.sock("ledger"))
        cem.start()
        # cursor before the N sends: genesis is 1 and nothing else was cemented
        first = sends(node, demo, genesis, dest, 1)
        node.wait_confirmed(first)
        cursor = "2"
        t = time.time()
        hashes = sends(node, demo, genesis, dest, n)
        node.wait_confirmed(hashes[-1:], timeout=120)
        print("made and confirmed %d sends in %.1f s (%.0f/s)" % (n, time.time() - t,
                                                                    n / (time.time() - t)))
        ws_pid = {p["name"]: p for p in node.status()}["ws"]["pid"]
        for s in (1, 100):
            c0 = cpu_s(ws_pid)

            async def replay():
                t0 = time.perf_counter()
                ends = await asyncio.gather(*[client(url, n, {"from": cursor})
                                              for _ in range(s)])
                return max(ends) - t0
            took = asyncio.run(replay())
            print("A  %3d subscriber(s) x %d from the cursor: %.2f s, %.0f confirmations/s "
                  "delivered (%.0f per subscriber); ws CPU %.2f s"
                  % (s, n, took, s * n / took, n / took, cpu_s(ws_pid) - c0))
        for s in (1, 100):
            c0 = cpu_s(ws_pid)

            async def live():
                loop = asyncio.get_running_loop()
                stamps = [[] for _ in range(s)]
                readies = [loop.create_future() for _ in range(s)]
                tasks = [asyncio.ensure_future(client(url, m, {"include_block": True},
                                                      stamps[i], readies[i]))
                         for i in range(s)]
                await asyncio.gather(*readies)
                t0 = time.perf_counter()
                await loop.run_in_executor(None, sends, node, demo, genesis, dest, m)
                await asyncio.gather(*tasks)
                return stamps, time.perf_counter() - t0
            stamps, took = asyncio.run(live())
            lat = [(ts - cem.at[h]) * 1000 for st in stamps for h, ts in st if h in cem.at]
            print("B  %3d live subscriber(s), %d sends in %.2f s: cemented -> delivered "
                  "p50 %.2f ms  p99 %.2f ms  max %.2f ms (%d deliveries); ws CPU %.2f s"
                  % (s, m, took, pct(lat, 50), pct(lat, 99), max(lat), len(lat),
                     cpu_s(ws_pid) - c0))


if __name__ == "__main__":
    main()
