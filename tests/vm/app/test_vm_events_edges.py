"""Event socket edges (issue 15), on a real dev node:
  - a subscribe without an id is answered (an error naming the problem);
  - an unknown `type` filter is refused;
  - a `from` beyond the newest event is refused;
  - a clean stop of the vm process (SIGTERM; the supervisor restarts it)
    sends `disconnect {reason: "shutdown", cursor}` before closing, three
    times in a row, each resumed from that cursor (nothing twice, live
    events after the backlog).

usage: test_vm_events_edges.py SMALLNANOD
"""
import os
import signal
import socket
import struct
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "integration"))
from test_node_util import DevNode  # noqa: E402
from nodeutil import fail, mp_pack, mp_unpack  # noqa: E402

SMN = 10 ** 30
BURN = "smn_1111111111111111111111111111111111111111111111111111hifc8npp"


def check(cond, msg):
    if not cond:
        fail(msg)


class Ev:
    def __init__(self, path):
        self.s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.s.settimeout(10)
        self.s.connect(path)
        self.buf = b""

    def send(self, m):
        p = mp_pack(m)
        self.s.sendall(struct.pack(">I", len(p)) + p)

    def _read(self, n):
        while len(self.buf) < n:
            d = self.s.recv(65536)
            if not d:
                raise EOFError()
            self.buf += d
        out, self.buf = self.buf[:n], self.buf[n:]
        return out

    def frame(self):
        (n,) = struct.unpack(">I", self._read(4))
        return mp_unpack(self._read(n))[0]


def connect(path, timeout=20.0):
    """Ev on the socket, retried while a restarting vm has not bound it yet."""
    deadline = time.time() + timeout
    while True:
        try:
            return Ev(path)
        except OSError:
            check(time.time() < deadline, "vm-events.sock not back")
            time.sleep(0.05)


def main():
    with DevNode(sys.argv[1]) as n:
        wallet, gen = n.demo()
        h = n.ok("send", wallet=wallet, source=gen, destination=BURN, amount=str(5))["block"]
        n.wait_confirmed([h])
        path = os.path.join(n.data, "run", "vm-events.sock")
        deadline = time.time() + 20
        while not n.ok("vm_events")["events"]:
            check(time.time() < deadline, "the burn was never indexed")
            time.sleep(0.05)

        e = Ev(path)
        e.send({"kind": "subscribe"})
        r = e.frame()
        check(r["kind"] == "error" and "id" in r.get("message", ""), "subscribe without id: %r" % r)
        e.s.close()

        e = Ev(path)
        e.send({"kind": "subscribe", "id": 1, "type": "nosuch"})
        r = e.frame()
        check(r["kind"] == "error" and r.get("re") == 1 and "type" in r["message"],
              "unknown type: %r" % r)
        e.s.close()

        e = Ev(path)
        e.send({"kind": "subscribe", "id": 2, "from": 10 ** 9})
        r = e.frame()
        check(r["kind"] == "error" and r.get("re") == 2 and "beyond" in r["message"],
              "from beyond the head: %r" % r)
        e.s.close()

        # Three clean vm stops (the issue saw a bare EOF 3 of 3): each time
        # the subscriber resumes from the disconnect's cursor after the
        # restart, gets nothing twice, and a new event live.
        last, seen = 0, []
        for rnd in range(3):
            e = connect(path)
            e.send({"kind": "subscribe", "id": 3 + rnd, "type": "vsmn", "from": last})
            r = e.frame()
            check(r["kind"] == "subscribed", "subscribe: %r" % r)
            while True:
                m = e.frame()
                if m["kind"] == "caught_up":
                    break
                check(m["kind"] == "event" and m["cursor"] > last, "backlog: %r" % m)
                seen.append(m["cursor"])
            h = n.ok("send", wallet=wallet, source=gen, destination=BURN,
                     amount=str(6 + rnd))["block"]
            m = e.frame()
            check(m["kind"] == "event" and m["type"] == "vsmn.mint" and m["block_hash"]
                  == bytes.fromhex(h) and m["cursor"] > max(seen + [last]),
                  "round %d: the live event: %r" % (rnd, m))
            seen.append(m["cursor"])
            vm = [p for p in n.status() if p["name"] == "vm"][0]
            os.kill(vm["pid"], signal.SIGTERM)
            try:
                while True:
                    m = e.frame()
                    if m["kind"] == "disconnect":
                        break
            except EOFError:
                fail("round %d: bare EOF on a clean vm stop, no disconnect\n%s"
                     % (rnd, n.read_log()[-3000:]))
            check(m["reason"] == "shutdown" and m["cursor"] == seen[-1],
                  "round %d: disconnect: %r" % (rnd, m))
            last = m["cursor"]
            e.s.close()
            n.wait_ready()
        check(len(seen) == len(set(seen)), "an event delivered twice: %r" % seen)
        n.stop()
    print("ok")


if __name__ == "__main__":
    main()
