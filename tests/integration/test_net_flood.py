"""Bounded peering under a flood of idle connections, all from 127.0.0.1.

Node A runs. An attacker (this script) opens 64, later 500, TCP connections
to A's peering port that never send a byte, and reopens each one as soon as
A closes it. Meanwhile:

- phase 1 (64 connections): node B starts with peers = A and must become a
  ready peer of A (A's `peers` on net.sock lists B's node id);
- phase 2 (500 connections): B's net child is killed; the restarted one
  must become a ready peer of A again, on the same address as the flood;
- phase 3 (EMFILE): A's net child gets a file limit just above what it has
  open, and the flood goes on: accepting must pause, not spin (net's CPU
  time stays well below the wall time), and A keeps B.

A's net process must stay the same process throughout (no crash, no
restart), and A must have closed (evicted) the attacker's connections.

usage: test_net_flood.py SMALLNANOD
"""
import contextlib
import os
import resource
import selectors
import signal
import socket
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from nodeutil import fail  # noqa: E402
from test_devnet_three import DevNode, wait_for  # noqa: E402


class Flood:
    """n idle connections to port, each reopened when the node closes it."""

    def __init__(self, port, n):
        self.addr = ("127.0.0.1", port)
        self.n = n
        self.sel = selectors.DefaultSelector()
        self.reopened = 0
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)

    def _open(self):
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.setblocking(False)
        s.connect_ex(self.addr)
        self.sel.register(s, selectors.EVENT_READ)

    def _run(self):
        for _ in range(self.n):
            self._open()
        while not self.stop.is_set():
            for key, _ in self.sel.select(timeout=0.05):
                s = key.fileobj
                try:
                    gone = s.recv(4096) == b""
                except BlockingIOError:
                    gone = False
                except OSError:
                    gone = True
                if gone:
                    self.sel.unregister(s)
                    s.close()
                    self.reopened += 1
                    self._open()

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.stop.set()
        self.thread.join(timeout=5)
        for key in list(self.sel.get_map().values()):
            key.fileobj.close()
        self.sel.close()
        return False


def child_pid(node, name):
    return {p["name"]: p["pid"] for p in node.status()}[name]


def cpu_seconds(pid):
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def open_fds(pid):
    return len(os.listdir("/proc/%d/fd" % pid))


def b_is_peer_of(a, b_id):
    return any(p["node_id"] == b_id for p in a.peers()["peers"])


def main():
    if len(sys.argv) != 2:
        fail("usage: test_net_flood.py SMALLNANOD")
    smallnanod = sys.argv[1]
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < 2048 and hard > soft:
        resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, 4096), hard))
    if resource.getrlimit(resource.RLIMIT_NOFILE)[0] < 700:
        fail("need at least 700 file descriptors for the attacker")
    with contextlib.ExitStack() as stack:
        a = stack.enter_context(DevNode(smallnanod, 1))
        a.wait_ready(timeout=60)
        a_net = child_pid(a, "net")

        # ---- phase 1: 64 idle connections while B starts ----
        with Flood(a.peer_port, 64) as flood:
            time.sleep(1.0)
            b = stack.enter_context(DevNode(smallnanod, 2, [a.peer_port]))
            b.wait_ready(timeout=60)
            b_id = b.peers()["node_id"]
            t0 = time.time()
            wait_for("B a ready peer of A under 64 idle connections",
                     lambda: b_is_peer_of(a, b_id), 20, [a, b], step=0.05)
            print("phase 1: B ready on A %.2f s after its net was up; %d attacker "
                  "connections closed by A" % (time.time() - t0, flood.reopened))
            if flood.reopened == 0:
                fail("A closed none of the idle connections")

        # ---- phase 2: 500 idle connections, B's net restarts ----
        with Flood(a.peer_port, 500) as flood:
            time.sleep(1.0)
            old = child_pid(b, "net")
            os.kill(old, signal.SIGKILL)
            b.wait_ready(timeout=30, exclude_pids={old})
            wait_for("A noticed B's net went away",
                     lambda: not b_is_peer_of(a, b_id) or child_pid(b, "net") != old, 10, [a, b])
            t0 = time.time()
            wait_for("B a ready peer of A again under 500 idle connections",
                     lambda: b_is_peer_of(a, b_id) and
                     any(p["node_id"] == a.peers()["node_id"] for p in b.peers()["peers"]),
                     20, [a, b], step=0.05)
            print("phase 2: B ready on A again after %.2f s; %d attacker connections "
                  "closed by A" % (time.time() - t0, flood.reopened))
            if flood.reopened < 100:
                fail("A closed only %d of the idle connections" % flood.reopened)

        # ---- phase 3: EMFILE at accept pauses instead of spinning ----
        limit = open_fds(a_net) + 4
        old_limit = resource.prlimit(a_net, resource.RLIMIT_NOFILE)
        resource.prlimit(a_net, resource.RLIMIT_NOFILE, (limit, old_limit[1]))
        try:
            with Flood(a.peer_port, 200):
                time.sleep(1.0)
                c0, w0 = cpu_seconds(a_net), time.time()
                time.sleep(3.0)
                used = (cpu_seconds(a_net) - c0) / (time.time() - w0)
        finally:
            resource.prlimit(a_net, resource.RLIMIT_NOFILE, old_limit)
        print("phase 3: fd limit %d, net used %.0f%% of a core" % (limit, used * 100))
        if used > 0.10:
            fail("net used %.0f%% of a core at the fd limit: accept is spinning" % (used * 100))
        if "pausing" not in a.read_log():
            fail("no accept pause logged at the fd limit:\n" + a.read_log()[-4000:])
        wait_for("B still a ready peer of A", lambda: b_is_peer_of(a, b_id), 10, [a, b])

        st = a.peers()
        print("A: %d pending, %d evicted" % (st["pending"], st["evicted"]))
        if st["evicted"] < 100 or st["pending"] > 32:
            fail("A's counters: %d pending, %d evicted" % (st["pending"], st["evicted"]))
        if child_pid(a, "net") != a_net or a.proc.poll() is not None:
            fail("A's net process did not survive the flood")
    print("ok")


if __name__ == "__main__":
    main()
