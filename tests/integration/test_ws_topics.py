"""The WebSocket topics other processes publish (docs/websocket.md "Where
the live-only topics come from"), with Python's websockets as the client:

1. one dev node: a send starts an election and stops it; started_election
   and stopped_election name its hash in Nano's shape (stopped with reason
   confirmed and its figures), and the confirmation with
   include_election_info carries Nano's election_info; a client on
   started_election alone gets neither work nor confirmations; 50 sends in
   a row give 50 of each, once, started before stopped;
2. work_generate yields a work message (success, the request's root and
   difficulty, the result's work); a work_cancel of an endless search
   yields one with reason cancelled; a client on work alone gets no
   election messages;
3. the elections and rpc processes are SIGKILLed: on the same WebSocket
   connection the next send and the next work_generate are published again;
4. two nodes: node 2 starts while node 1 (which has blocks) is down; when
   node 1 comes up, node 2's bootstrap topic says started then exited (same
   id, total_blocks > 0, node 2 then has node 1's blocks) and its telemetry
   topic carries node 1's signed figures (node_id, genesis, block_count);
   node 2's net and bootstrap are SIGKILLed and both topics deliver again;
5. keepalive ([ws] keepalive_s = 1): a client that never answers gets a
   WebSocket ping and is dropped after about 2 s; a client that answers
   pings (websockets does) idles as long and is still served.

usage: test_ws_topics.py SMALLNANOD
"""
import asyncio
import base64
import json
import os
import re
import signal
import socket
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import devnet_blocks as blocks  # noqa: E402
from nodeutil import call  # noqa: E402
from test_node_util import DevNode, check, free_port, run  # noqa: E402

import websockets  # noqa: E402

HEX64 = re.compile(r"[0-9A-F]{64}")
DEC = re.compile(r"\d+")


class WsNode(DevNode):
    def __init__(self, smallnanod, config=""):
        self.ws_port = free_port()
        super().__init__(smallnanod, config=config + "[ws]\nport = %d\n" % self.ws_port)
        self.url = "ws://127.0.0.1:%d" % self.ws_port

    def pid_of(self, name):
        return {p["name"]: p for p in self.status()}[name]["pid"]

    def kill_child(self, name):
        old = self.pid_of(name)
        os.kill(old, signal.SIGKILL)
        self.wait_ready(timeout=30, exclude_pids={old})
        return old


async def recv_json(w, timeout=15.0):
    return json.loads(await asyncio.wait_for(w.recv(), timeout))


async def subscribe(w, topic, **options):
    msg = {"action": "subscribe", "topic": topic, "ack": True}
    if options:
        msg["options"] = options
    await w.send(json.dumps(msg))
    a = await recv_json(w)
    check(a.get("ack") == "subscribe", "subscribe %s: %r" % (topic, a))


async def until(w, pred, what, timeout=20.0):
    """Messages until pred(m); returns (m, every message before it)."""
    seen = []
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        left = deadline - loop.time()
        if left <= 0:
            raise AssertionError("timed out waiting for %s; got %r" % (what, seen[-5:]))
        try:
            m = await recv_json(w, left)
        except asyncio.TimeoutError:
            continue
        check(DEC.fullmatch(m.get("time", "")) or "ack" in m, "time field: %r" % m)
        if pred(m):
            return m, seen
        seen.append(m)


async def rpc(n, action, **fields):
    loop = asyncio.get_running_loop()
    return await loop.run_in_executor(None, lambda: n.ok(action, **fields))


def topics_of(msgs):
    return {m.get("topic") for m in msgs}


async def election_flow(n, wallet, genesis, url):
    dest = blocks.Key().account
    other = blocks.Key().account
    async with websockets.connect(url) as w, websockets.connect(url) as only_started:
        await subscribe(w, "started_election")
        await subscribe(w, "stopped_election")
        await subscribe(w, "confirmation", accounts=[dest], include_election_info=True)
        await subscribe(only_started, "started_election")
        await rpc(n, "send", wallet=wallet, source=genesis, destination=other, amount="1")
        h = (await rpc(n, "send", wallet=wallet, source=genesis, destination=dest,
                       amount="1000"))["block"]
        got = {}
        msgs = []
        while len(got) < 3:
            m, before = await until(
                w, lambda m: m.get("topic") in ("started_election", "stopped_election",
                                                "confirmation")
                and m["message"]["hash"] == h, "the send's election messages")
            msgs += before
            got[m["topic"]] = m
        st = got["started_election"]["message"]
        check(st == {"hash": h}, "started_election is Nano's {hash}: %r" % st)
        sp = got["stopped_election"]["message"]
        check(sp["hash"] == h and sp["reason"] == "confirmed", "stopped_election: %r" % sp)
        info = got["confirmation"]["message"].get("election_info")
        check(info is not None, "confirmation with election_info: %r" % got["confirmation"])
        check(set(info) == {"duration", "time", "tally", "final", "blocks", "voters",
                            "request_count"} and all(DEC.fullmatch(v) for v in info.values()),
              "election_info has Nano's fields as decimal strings: %r" % info)
        check(int(info["tally"]) > 0 and int(info["voters"]) >= 1 and info["blocks"] == "1",
              "election_info figures: %r" % info)
        check(sp["election_info"] == info, "stopped_election carries the same figures")
        # the filter: no confirmation of the send to the other account
        check(all(m["message"].get("account") != other and
                  m["message"].get("block", {}).get("link_as_account") != other
                  for m in msgs if m.get("topic") == "confirmation"),
              "confirmation filter let the other send through")
        m, before = await until(only_started, lambda m: m["message"]["hash"] == h,
                                "started_election on the second client")
        check(topics_of(before + [m]) == {"started_election"},
              "a started_election client gets that topic only: %r" % topics_of(before))
        return h, info


async def work_flow(n, url, root):
    async with websockets.connect(url) as w:
        await subscribe(w, "work")
        r = await rpc(n, "work_generate", hash=root)
        m, before = await until(w, lambda m: m["message"]["request"]["hash"] == root,
                                "the work message")
        check(topics_of(before + [m]) == {"work"}, "work client gets work only: %r"
              % topics_of(before))
        wm = m["message"]
        check(wm["success"] == "true" and wm["reason"] == "" and DEC.fullmatch(wm["duration"])
              and wm["result"]["work"] == r["work"].lower() and wm["result"]["source"] == "local"
              and re.fullmatch(r"[0-9a-f]{16}", wm["request"]["difficulty"])
              and wm["bad_peers"] == [] and wm["request"]["version"] == "work_1",
              "work message in Nano's shape: %r (rpc said %r)" % (wm, r))
        return wm


async def cancel_flow(n, url):
    root = "D" * 64
    async with websockets.connect(url) as w:
        await subscribe(w, "work")
        answer = {}
        t = threading.Thread(target=lambda: answer.update(
            r=n.call("work_generate", timeout=60.0, hash=root, difficulty="fffffffffffffff0")),
            daemon=True)
        t.start()
        await asyncio.sleep(0.5)
        await rpc(n, "work_cancel", hash=root)
        m, _ = await until(w, lambda m: m["message"]["request"]["hash"] == root,
                           "the cancelled work message")
        t.join(10)
        check(m["message"]["success"] == "false" and m["message"]["reason"] == "cancelled"
              and "result" not in m["message"], "cancelled work: %r" % m)


async def burst_flow(n, wallet, genesis, url, count=50):
    """count sends: every election is started and stopped once, in that order."""
    async with websockets.connect(url) as w:
        await subscribe(w, "started_election")
        await subscribe(w, "stopped_election")
        loop = asyncio.get_running_loop()
        t0 = loop.time()
        hashes = []

        def sends():  # in a thread, so this loop reads while the sends go on
            for i in range(count):
                hashes.append(n.ok("send", wallet=wallet, source=genesis,
                                   destination=blocks.Key().account, amount="3")["block"])
        sender = loop.run_in_executor(None, sends)
        early = []
        while not sender.done():
            try:
                early.append((await recv_json(w, 0.05), time.time() * 1000))
            except asyncio.TimeoutError:
                pass
        await sender
        want = set(hashes)
        pending = list(early)
        started, stopped = {}, {}
        lat = []
        while len(stopped) < count or len(started) < count:
            if pending:
                m, got_ms = pending.pop(0)
            else:
                m, got_ms = await recv_json(w, 20), time.time() * 1000
            h = m["message"]["hash"]
            if h not in want:
                continue
            book = started if m["topic"] == "started_election" else stopped
            check(h not in book, "%s twice for %s" % (m["topic"], h))
            if m["topic"] == "stopped_election":
                check(h in started, "stopped before started: %s" % h)
                check(m["message"]["reason"] == "confirmed", "burst reason: %r" % m)
                # elections' clock at the stop -> received here (same host clock)
                lat.append(got_ms - int(m["message"]["election_info"]["time"]))
            book[h] = m
        lat.sort()
        return count, loop.time() - t0, lat[len(lat) // 2], lat[-1]


async def again(w, act, pred, what, tries=20):
    """act() then wait up to 1.5 s for pred; repeated, since the publisher
    may publish before ws has subscribed to its new process (events while
    nobody is subscribed are not kept: these topics are live only)."""
    for _ in range(tries):
        key = await act()
        try:
            return await until(w, lambda m: pred(m, key), what, 1.5)
        except AssertionError:
            continue
    raise AssertionError("never: " + what)


async def restart_flow(n, wallet, genesis, url):
    async with websockets.connect(url) as w:
        await subscribe(w, "started_election")
        await subscribe(w, "work")
        old = n.kill_child("elections")

        async def send():
            return (await rpc(n, "send", wallet=wallet, source=genesis,
                              destination=blocks.Key().account, amount="7"))["block"]
        await again(w, send, lambda m, h: m["topic"] == "started_election" and
                    m["message"]["hash"] == h,
                    "started_election after elections (pid %d) was killed" % old)
        old = n.kill_child("rpc")
        n.wait_rpc()
        roots = iter("%064X" % (0xE0 + i) for i in range(100))

        async def work():
            root = next(roots)
            await rpc(n, "work_generate", hash=root)
            return root
        await again(w, work, lambda m, root: m["topic"] == "work" and
                    m["message"]["request"]["hash"] == root,
                    "work after rpc (pid %d) was killed" % old)


def node_id_hex(n):
    return call(n.sock("net"), "peers", timeout=5.0)["node_id"].hex().upper()


async def two_nodes(smallnanod):
    with WsNode(smallnanod) as n1:
        wallet, genesis = n1.demo()
        dest = n1.ok("account_create", wallet=wallet)["account"]
        for i in range(5):
            n1.ok("send", wallet=wallet, source=genesis, destination=dest, amount=str(100 + i))
        n1.wait_for(lambda: int(n1.ok("block_count")["count"]) >= 11, "node 1's blocks", 30)
        id1 = node_id_hex(n1)
        count1 = int(n1.ok("block_count")["count"])
        n1.stop()
        with WsNode(smallnanod, config="[net]\npeers = 127.0.0.1:%d\n" % n1.peer_port) as n2:
            async with websockets.connect(n2.url) as w:
                await subscribe(w, "bootstrap")
                await subscribe(w, "telemetry")
                n1.start_ready()
                started, early = await until(w, lambda m: m["topic"] == "bootstrap" and
                                             m["message"]["reason"] == "started",
                                             "bootstrap started", 30)
                bs = started["message"]
                check(bs["mode"] == "ascending" and bs["id"], "bootstrap started: %r" % bs)
                exited, between = await until(w, lambda m: m["topic"] == "bootstrap" and
                                              m["message"]["reason"] == "exited", "exited", 60)
                ex = exited["message"]
                check(ex["id"] == bs["id"] and DEC.fullmatch(ex["duration"]) and
                      int(ex["total_blocks"]) > 0, "bootstrap exited: %r" % ex)
                n2.wait_for(lambda: int(n2.ok("block_count")["count"]) == count1,
                            "node 2 has node 1's blocks", 20)
                tele = [m for m in early + between if m["topic"] == "telemetry"]
                if not tele:
                    m, _ = await until(w, lambda m: m["topic"] == "telemetry", "telemetry", 30)
                    tele = [m]
                t = tele[0]["message"]
                check(t["node_id"] == id1 and HEX64.fullmatch(t["genesis_block"]) and
                      re.fullmatch(r"[0-9A-F]{128}", t["signature"]) and
                      int(t["block_count"]) >= 1 and t["address"] == "127.0.0.1" and
                      DEC.fullmatch(t["port"]) and DEC.fullmatch(t["uptime"]),
                      "telemetry of node 1 in Nano's shape: %r" % t)
                print("bootstrap %s: %s blocks in %s s; telemetry of node 1: block_count %s"
                      % (bs["id"], ex["total_blocks"], ex["duration"], t["block_count"]))
                # publisher restarts: net (telemetry is asked of every new peer) and bootstrap
                old = n2.kill_child("net")
                await until(w, lambda m: m["topic"] == "telemetry" and m["message"]["node_id"]
                            == id1, "telemetry after node 2's net (pid %d) was killed" % old, 30)
                old = n2.kill_child("bootstrap")
                m, _ = await until(w, lambda m: m["topic"] == "bootstrap" and
                                   m["message"]["reason"] == "started",
                                   "a round after node 2's bootstrap (pid %d) was killed" % old, 30)
                check(m["message"]["id"] != bs["id"], "a new attempt id: %r" % m)
                await until(w, lambda m2: m2["topic"] == "bootstrap" and
                            m2["message"]["reason"] == "exited" and
                            m2["message"]["id"] == m["message"]["id"], "its exit", 30)
            n2.stop()
        n1.stop()


def raw_upgrade(port):
    """A WebSocket handshake by hand, from a client that will never answer."""
    sk = socket.create_connection(("127.0.0.1", port), timeout=10)
    key = base64.b64encode(os.urandom(16)).decode()
    sk.sendall(("GET / HTTP/1.1\r\nHost: 127.0.0.1:%d\r\nUpgrade: websocket\r\n"
                "Connection: Upgrade\r\nSec-WebSocket-Key: %s\r\n"
                "Sec-WebSocket-Version: 13\r\n\r\n" % (port, key)).encode())
    head = b""
    while b"\r\n\r\n" not in head:
        chunk = sk.recv(4096)
        check(chunk, "handshake answered")
        head += chunk
    check(head.startswith(b"HTTP/1.1 101"), "upgrade: %r" % head[:60])
    return sk, head.split(b"\r\n\r\n", 1)[1]


async def keepalive_flow(smallnanod):
    """[ws] keepalive_s = 1: an idle client that answers pings (websockets
    does) stays; one that never answers gets a ping frame, then is dropped."""
    with WsNode(smallnanod, config="[ws]\nkeepalive_s = 1\n") as n:
        async with websockets.connect(n.url) as w:
            def silent():
                # in a thread: the event loop keeps answering w's pings
                sk, frames = raw_upgrade(n.ws_port)
                t0 = time.time()
                closed_at = None
                sk.settimeout(0.2)
                while time.time() - t0 < 8:
                    try:
                        chunk = sk.recv(4096)
                    except socket.timeout:
                        continue
                    if not chunk:
                        closed_at = time.time() - t0
                        break
                    frames += chunk
                sk.close()
                return frames, closed_at
            loop = asyncio.get_running_loop()
            frames, closed_at = await loop.run_in_executor(None, silent)
            check(frames[:1] == b"\x89", "a ping frame (0x89) first: %r" % frames[:8])
            check(closed_at is not None and 1.0 <= closed_at <= 6.0,
                  "the silent client was dropped after about 2 s: %r" % closed_at)
            # the polite client idled as long and is still served
            await w.send(json.dumps({"action": "ping", "id": "k"}))
            a = await recv_json(w, 5)
            check(a.get("ack") == "pong" and a.get("id") == "k", "still served: %r" % a)
        n.stop()
        return closed_at


def main():
    smallnanod = sys.argv[1]
    with WsNode(smallnanod, config="[rpc]\nwork_max_difficulty = fffffffffffffff0\n") as n:
        wallet, genesis = n.demo()
        h, info = asyncio.run(election_flow(n, wallet, genesis, n.url))
        print("election %s...: started, stopped (confirmed), election_info %s"
              % (h[:16], json.dumps(info)))
        k, took, p50, worst = asyncio.run(burst_flow(n, wallet, genesis, n.url))
        print("%d sends: %d started_election and %d stopped_election, none lost or doubled, "
              "in %.2f s; election stopped -> client: median %.1f ms, max %.1f ms"
              % (k, k, k, took, p50, worst))
        wm = asyncio.run(work_flow(n, n.url, "F" * 64))
        print("work: %s in %s ms" % (wm["result"]["work"], wm["duration"]))
        asyncio.run(cancel_flow(n, n.url))
        print("work_cancel: a cancelled work message")
        asyncio.run(restart_flow(n, wallet, genesis, n.url))
        print("elections and rpc SIGKILLed: the same connection got their events again")
        n.stop()
    asyncio.run(two_nodes(smallnanod))
    closed_at = asyncio.run(keepalive_flow(smallnanod))
    print("keepalive_s 1: a client that never answers got a ping and was dropped after "
          "%.1f s; one that answers stayed" % closed_at)


if __name__ == "__main__":
    run(main)
