"""The WebSocket feed (docs/websocket.md) with a real client, Python's
websockets (Debian's python3-websockets), against a one-host dev node:

1. a confirmation subscription with an account filter receives the send to
   that account, in Nano's shape, and not a send to another account;
2. a client disconnects, 100 blocks confirm, it reconnects with its cursor
   ("from") and receives exactly those 100, in order, then live ones;
3. the ws process is SIGKILLed mid-stream while sends go on; the client
   reconnects with its last cursor and has every block once, in order;
4. a client that never reads is closed (1008, reason with its cursor) while
   another keeps receiving everything; it resumes from that cursor;
5. malformed (not JSON), binary and oversized frames get a clear close
   (1007, 1003, 1009); a bad request gets an error message;
6. after a restart of the whole node, a subscription from an old cursor
   brings the same confirmations as before the restart, then live ones;
7. with [ws] enable = false the ws process runs idle and serves no port;
8. past [ws] max_clients a connection is refused, and a slot freed is reused.

usage: test_ws.py SMALLNANOD
"""
import asyncio
import json
import os
import re
import signal
import socket
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from test_node_util import DevNode, check, free_port, run  # noqa: E402

import websockets  # noqa: E402

SMN = 10 ** 30
BUFFER = 65536   # [ws] client_buffer
SLOW_MS = 500    # [ws] slow_client_ms


class WsNode(DevNode):
    def __init__(self, smallnanod):
        self.ws_port = free_port()
        super().__init__(smallnanod, config="[rpc]\nauto_receive = false\n"
                         "[ws]\nport = %d\nclient_buffer = %d\nslow_client_ms = %d\n"
                         % (self.ws_port, BUFFER, SLOW_MS))
        self.url = "ws://127.0.0.1:%d" % self.ws_port

    def pid_of(self, name):
        return {p["name"]: p for p in self.status()}[name].get("pid")


async def recv_json(w, timeout=10.0):
    return json.loads(await asyncio.wait_for(w.recv(), timeout))


async def subscribe(w, topic="confirmation", **options):
    await w.send(json.dumps({"action": "subscribe", "topic": topic, "ack": True, "id": "s1",
                             "options": options}))
    ack = await recv_json(w)
    check(ack.get("ack") == "subscribe" and ack.get("id") == "s1", "ack: %r" % ack)


async def collect(w, n, timeout=20.0):
    """n confirmation messages (anything else fails)."""
    out = []
    deadline = time.time() + timeout
    while len(out) < n:
        m = await recv_json(w, max(0.1, deadline - time.time()))
        check(m.get("topic") == "confirmation", "not a confirmation: %r" % m)
        out.append(m)
    return out


async def quiet(w, seconds):
    """Nothing arrives for this long."""
    try:
        m = await asyncio.wait_for(w.recv(), seconds)
    except asyncio.TimeoutError:
        return
    raise AssertionError("unexpected message: %s" % m[:300])


def check_order(msgs, hashes, what):
    got = [m["message"]["hash"] for m in msgs]
    cursors = [int(m["cursor"]) for m in msgs]
    check(got == hashes, "%s: %d messages, expected %d in order; first differences: %s"
          % (what, len(got), len(hashes),
             [(i, a, b) for i, (a, b) in enumerate(zip(got, hashes)) if a != b][:3]))
    check(all(b > a for a, b in zip(cursors, cursors[1:])), "%s: cursors increase" % what)


def sends(n, demo, src, dst, count):
    return [n.ok("send", wallet=demo, source=src, destination=dst, amount="1")["block"]
            for _ in range(count)]


async def test_filter(n, demo, genesis, acc1, acc2):
    async with websockets.connect(n.url) as w, websockets.connect(n.url) as bare:
        await subscribe(w, accounts=[acc1])
        await subscribe(bare, accounts=[acc1], include_block=False)
        other = n.ok("send", wallet=demo, source=genesis, destination=acc2,
                     amount=str(SMN))["block"]
        mine = n.ok("send", wallet=demo, source=genesis, destination=acc1,
                    amount=str(2 * SMN))["block"]
        m = await recv_json(w)
        check(m["topic"] == "confirmation" and re.fullmatch(r"\d+", m["time"])
              and re.fullmatch(r"\d+", m["cursor"]), "envelope: %r" % m)
        msg = m["message"]
        check(msg["hash"] == mine, "the send to acc1 (not %s): %r" % (other, msg))
        check(msg["account"] == genesis and msg["amount"] == str(2 * SMN)
              and msg["confirmation_type"] == "active_quorum", "message: %r" % msg)
        b = msg["block"]
        check(b["type"] == "state" and b["subtype"] == "send" and b["link_as_account"] == acc1
              and b["account"] == genesis and re.fullmatch(r"\d+", b["balance"]),
              "block: %r" % b)
        m2 = (await recv_json(bare))["message"]
        check(m2["hash"] == mine and "block" not in m2, "include_block false: %r" % m2)
        await quiet(w, 0.3)
        # update: add acc2, and the next send to acc2 is delivered
        await w.send(json.dumps({"action": "update", "topic": "confirmation", "ack": True,
                                 "options": {"accounts_add": [acc2]}}))
        check((await recv_json(w)).get("ack") == "update", "update acked")
        third = n.ok("send", wallet=demo, source=genesis, destination=acc2, amount="1")["block"]
        check((await recv_json(w))["message"]["hash"] == third, "after update: acc2's send")
        await w.send(json.dumps({"action": "ping", "id": "p"}))
        pong = await recv_json(w)
        check(pong.get("ack") == "pong" and pong.get("id") == "p", "pong: %r" % pong)
        print("filter: send to the filtered account only, Nano's fields; update; ping")
        return m["cursor"]


async def drain_from(n, cursor):
    """Everything after cursor, until 0.5 s of silence."""
    out = []
    async with websockets.connect(n.url) as w:
        await subscribe(w, **{"from": cursor})
        try:
            while True:
                out.append(json.loads(await asyncio.wait_for(w.recv(), 0.5)))
        except asyncio.TimeoutError:
            pass
    return out


async def test_node_restart(n, demo, genesis, acc1, cursor):
    before = await drain_from(n, cursor)
    # at least the 101 + 1 of test_resume and the 150 of test_kill
    check(len(before) >= 252, "history after cursor %s: %d" % (cursor, len(before)))
    n.stop()
    n.start_ready()
    deadline = time.time() + 20
    while True:
        try:
            after = await drain_from(n, cursor)
            break
        except (OSError, websockets.InvalidHandshake):
            check(time.time() < deadline, "ws serves after the node restart")
            await asyncio.sleep(0.1)
    check([m["message"]["hash"] for m in after] == [m["message"]["hash"] for m in before]
          and [m["cursor"] for m in after] == [m["cursor"] for m in before],
          "same %d confirmations after the restart (got %d)" % (len(before), len(after)))
    async with websockets.connect(n.url) as w:
        await subscribe(w)
        live = n.ok("send", wallet=demo, source=genesis, destination=acc1, amount="1")["block"]
        m = (await collect(w, 1))[0]
        check(m["message"]["hash"] == live and int(m["cursor"]) > int(before[-1]["cursor"]),
              "live after the restart")
    print("node restart: %d confirmations after cursor %s identical before and after, "
          "then live" % (len(before), cursor))


def test_disabled(smallnanod):
    port = free_port()
    with DevNode(smallnanod, config="[ws]\nenable = false\nport = %d\n" % port) as d:
        ws = {p["name"]: p for p in d.status()}["ws"]
        check(ws["state"] == "running", "ws runs (idle): %r" % ws)
        s = socket.socket()
        try:
            s.connect(("127.0.0.1", port))
            raise AssertionError("port %d served with [ws] enable = false" % port)
        except ConnectionRefusedError:
            pass
        finally:
            s.close()
        check("disabled ([ws] enable); idle" in d.read_log(), "the idle line in the log")
    print("disabled: ws runs idle, port %d closed" % port)


def test_max_clients(smallnanod):
    port = free_port()
    url = "ws://127.0.0.1:%d" % port
    with DevNode(smallnanod, config="[ws]\nport = %d\nmax_clients = 2\n" % port) as d:
        async def scenario():
            a = await websockets.connect(url)
            b = await websockets.connect(url)
            try:
                c = await websockets.connect(url)
                await c.close()
                raise AssertionError("a third client got in with max_clients = 2")
            except websockets.InvalidHandshake:
                pass
            await a.close()
            deadline = time.time() + 5
            while True:  # the server sees the close a moment later
                try:
                    c = await websockets.connect(url)
                    break
                except websockets.InvalidHandshake:
                    check(time.time() < deadline, "a freed slot is reused")
                    await asyncio.sleep(0.05)
            await c.send(json.dumps({"action": "ping"}))
            check(json.loads(await c.recv()).get("ack") == "pong", "the new client is served")
            await b.close()
            await c.close()
        asyncio.run(scenario())
        check("2 clients (max_clients): connection refused" in d.read_log(), "refusal logged")
    print("max_clients: the third of 2 refused, its slot reused after a close")


async def test_resume(n, demo, genesis, acc1):
    async with websockets.connect(n.url) as w:
        await subscribe(w)
        first = n.ok("send", wallet=demo, source=genesis, destination=acc1, amount="1")["block"]
        m = (await collect(w, 1))[0]
        check(m["message"]["hash"] == first, "live confirmation")
        cursor = m["cursor"]
    t0 = time.time()
    hashes = sends(n, demo, genesis, acc1, 100)
    n.wait_confirmed(hashes, timeout=30)
    made = time.time() - t0
    async with websockets.connect(n.url) as w:
        await subscribe(w, **{"from": cursor})
        t1 = time.time()
        msgs = await collect(w, 100)
        took = time.time() - t1
        check_order(msgs, hashes, "resume after 100 blocks")
        await quiet(w, 0.5)  # exactly those 100: nothing duplicated
        live = n.ok("send", wallet=demo, source=genesis, destination=acc1, amount="1")["block"]
        m = (await collect(w, 1))[0]
        check(m["message"]["hash"] == live and int(m["cursor"]) > int(msgs[-1]["cursor"]),
              "live after the backlog: %r" % m["message"])
    print("resume: 100 blocks (made and confirmed in %.2f s) replayed in %.1f ms, then live"
          % (made, took * 1000))


async def test_kill(n, demo, genesis, acc1):
    total = 150
    hashes = []
    done = threading.Event()

    def sender():
        try:
            for _ in range(total):
                hashes.append(n.ok("send", wallet=demo, source=genesis, destination=acc1,
                                   amount="1")["block"])
                time.sleep(0.004)
        finally:
            done.set()

    got = []
    async with websockets.connect(n.url) as w:
        await subscribe(w)
        th = threading.Thread(target=sender)
        th.start()
        while len(got) < 30:
            got += await collect(w, 1)
        old = n.pid_of("ws")
        os.kill(old, signal.SIGKILL)
        try:
            while True:  # what the kernel still holds, then the end
                got += await collect(w, 1, timeout=5)
        except websockets.ConnectionClosed:
            pass
    killed_at = len(got)
    # reconnect with the last cursor until the new ws process serves
    deadline = time.time() + 20
    while True:
        try:
            w = await websockets.connect(n.url)
            break
        except (OSError, websockets.InvalidHandshake) as e:
            check(time.time() < deadline, "ws back after the kill: %s" % e)
            print("reconnect: %s" % e)
            await asyncio.sleep(0.05)
    try:
        await subscribe(w, **{"from": got[-1]["cursor"]})
        await asyncio.get_running_loop().run_in_executor(None, done.wait, 60)
        th.join()
        got += await collect(w, total - len(got), timeout=30)
        check_order(got, hashes, "across the SIGKILL")
        await quiet(w, 0.3)
    finally:
        await w.close()
    check(n.pid_of("ws") != old, "ws was restarted")
    print("kill: ws SIGKILLed after %d of %d confirmations; resumed, %d in order, none twice"
          % (killed_at, total, len(got)))


async def test_slow(n, demo, genesis, acc1):
    # A client that stops reading: websockets stops reading the socket once
    # max_queue messages wait; a small receive buffer keeps the kernel's part small.
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    s.connect(("127.0.0.1", n.ws_port))
    slow = await websockets.connect(n.url, sock=s, max_queue=1, read_limit=1024)
    # the reading client buffers whatever arrives (no max_queue) while the
    # sends run in a thread, so only the slow one stops reading
    fast = await websockets.connect(n.url, max_queue=None)
    try:
        await subscribe(slow)
        await subscribe(fast)
        hashes = []
        dropped = None
        loop = asyncio.get_running_loop()
        for _ in range(40):  # batches until the slow client is dropped
            hashes += await loop.run_in_executor(None, sends, n, demo, genesis, acc1, 25)
            log = n.read_log()
            dropped = re.search(r"client \d+ slow_consumer: resume from=(\d+)", log)
            if dropped:
                break
        check(dropped, "the slow client was dropped after %d blocks\n%s"
              % (len(hashes), log[-3000:]))
        # the fast one keeps receiving: every block, in order
        got = await collect(fast, len(hashes), timeout=30)
        check_order(got, hashes, "the reading client")
        more = sends(n, demo, genesis, acc1, 5)
        got2 = await collect(fast, 5)
        check_order(got2, more, "the reading client after the drop")
        # the slow one reads now: what was sent, then the close with its cursor
        seen = []
        try:
            while True:
                seen.append(json.loads(await asyncio.wait_for(slow.recv(), 10)))
        except websockets.ConnectionClosed as e:
            code, reason = e.code, e.reason
        check(code == 1008 and reason.startswith("slow_consumer: resume from="),
              "close %s %r\n%s" % (code, reason, "\n".join(
                  l for l in n.read_log().splitlines() if " ws: " in l)[-3000:]))
        cursor = int(reason.rsplit("=", 1)[1])
        confs = [m for m in seen if m.get("topic") == "confirmation"]
        check(not confs or int(confs[-1]["cursor"]) == cursor,
              "the reason's cursor %d is the last one sent (%s)"
              % (cursor, confs[-1]["cursor"] if confs else None))
        all_h = hashes + more
        async with websockets.connect(n.url) as w:
            await subscribe(w, **{"from": str(cursor)})
            rest = await collect(w, len(all_h) - len(confs))
            check_order(confs + rest, all_h, "slow client resumed")
        print("slow: dropped after %d blocks (%d delivered, close 1008 %r); the other got all %d"
              % (len(hashes), len(confs), reason, len(all_h)))
    finally:
        await slow.close()
        await fast.close()


async def expect_close(n, payload, code, what):
    async with websockets.connect(n.url, max_size=None) as w:
        await w.send(payload)
        try:
            m = await asyncio.wait_for(w.recv(), 5)
            raise AssertionError("%s: answered %r instead of closing" % (what, m[:200]))
        except websockets.ConnectionClosed as e:
            check(e.code == code and e.reason, "%s: close %s %r" % (what, e.code, e.reason))
            return e.reason


async def test_bad(n):
    async with websockets.connect(n.url) as keep:
        await subscribe(keep)
        r1 = await expect_close(n, "{not json", 1007, "malformed")
        r2 = await expect_close(n, b"\x81\x00binary", 1003, "binary")
        r3 = await expect_close(n, json.dumps({"action": "ping", "pad": "x" * 300000}), 1009,
                                "oversized")
        async with websockets.connect(n.url) as w:
            for req, want in [({"action": "dance"}, "unknown action"),
                              ({"action": "subscribe", "topic": "nope"}, "unknown topic"),
                              ({"action": "subscribe", "topic": "confirmation",
                                "options": {"accounts": ["smn_x"]}}, "not an address"),
                              ({"action": "subscribe", "topic": "confirmation",
                                "options": {"from": "-1"}}, "decimal")]:
                await w.send(json.dumps(req))
                m = await recv_json(w)
                check(want in m.get("error", ""), "%r: %r" % (req, m))
            await w.send(json.dumps({"action": "ping"}))
            check((await recv_json(w)).get("ack") == "pong", "still served after errors")
        await keep.send(json.dumps({"action": "ping"}))
        check((await recv_json(keep)).get("ack") == "pong", "others unaffected")
    print("bad input: 1007 %r, 1003 %r, 1009 %r, errors for bad requests" % (r1, r2, r3))


def main():
    with WsNode(sys.argv[1]) as n:
        demo, genesis = n.demo()
        wallet = n.ok("wallet_create")["wallet"]
        acc1 = n.ok("account_create", wallet=wallet)["account"]
        acc2 = n.ok("account_create", wallet=wallet)["account"]

        async def all_tests():
            cursor = await test_filter(n, demo, genesis, acc1, acc2)
            await test_resume(n, demo, genesis, acc1)
            await test_bad(n)
            await test_kill(n, demo, genesis, acc1)
            await test_slow(n, demo, genesis, acc1)
            await test_node_restart(n, demo, genesis, acc1, cursor)
        asyncio.run(all_tests())
        n.check_log()
    test_disabled(sys.argv[1])
    test_max_clients(sys.argv[1])


if __name__ == "__main__":
    run(main)
