"""Kill every child with SIGKILL 20 times while clients keep pinging it
through its socket: the supervisor stays up, each child comes back, requests
succeed after every restart (answered by the new pid), and the supervisor
ends with as many file descriptors and as few zombies as it started with.

usage: test_kill_children.py SMALLNANOD [ROUNDS]
"""
import os
import signal
import socket
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from nodeutil import NAMES, Client, IpcError, Node, fail, fd_count, zombies_of  # noqa: E402

CONFIG = """
[supervisor]
max_restarts = 10000
max_restart_window_s = 60
restart_backoff_ms = 5
restart_backoff_max_ms = 40
heartbeat_interval_ms = 200
heartbeat_timeout_ms = 10000
"""


class Pinger(threading.Thread):
    """Pings one child's socket in a loop, reconnecting after any failure."""

    def __init__(self, path):
        super().__init__(daemon=True)
        self.path = path
        self.stop = threading.Event()
        self.ok = 0
        self.errors = 0
        self.pids = {}  # pid -> successful pings answered by it
        self.lock = threading.Lock()

    def run(self):
        c = None
        seq = 0
        while not self.stop.is_set():
            try:
                if c is None:
                    c = Client(self.path, timeout=5.0)
                seq += 1
                echo = os.urandom(16)
                r = c.request("ping", seq=seq, echo=echo)
                if r["kind"] != "pong" or r["seq"] != seq or r["echo"] != echo:
                    raise IpcError("bad pong %r" % r)
                with self.lock:
                    self.ok += 1
                    self.pids[r["pid"]] = self.pids.get(r["pid"], 0) + 1
            except (OSError, IpcError):
                with self.lock:
                    self.errors += 1
                if c is not None:
                    c.close()
                    c = None
                time.sleep(0.005)
        if c is not None:
            c.close()

    def answered_by(self, pid):
        with self.lock:
            return self.pids.get(pid, 0)


def settle_fds(pid, want, timeout=5.0):
    deadline = time.time() + timeout
    n = fd_count(pid)
    while n != want and time.time() < deadline:
        time.sleep(0.05)
        n = fd_count(pid)
    return n


def main():
    smallnanod = sys.argv[1]
    rounds = int(sys.argv[2]) if len(sys.argv) > 2 else 20
    with Node(smallnanod, CONFIG) as node:
        procs = node.wait_ready()
        sup = node.proc.pid
        time.sleep(0.3)  # let the status connections above close
        fds0 = fd_count(sup)
        z0 = len(zombies_of(sup))
        pingers = {n: Pinger(node.sock(n)) for n in NAMES}
        for p in pingers.values():
            p.start()
        t0 = time.time()
        for r in range(rounds):
            old = {n: procs[n]["pid"] for n in NAMES}
            for n in NAMES:  # every child must have served a ping before it dies
                deadline = time.time() + 20
                while pingers[n].answered_by(old[n]) == 0:
                    if time.time() > deadline:
                        fail("round %d: %s (pid %d) never answered a ping" % (r, n, old[n]))
                    time.sleep(0.005)
            for n in NAMES:
                os.kill(old[n], signal.SIGKILL)
            procs = node.wait_ready(timeout=30, exclude_pids=set(old.values()))
            if node.proc.poll() is not None:
                fail("supervisor exited during round %d" % r)
        for n in NAMES:  # requests succeed after the last restart too
            deadline = time.time() + 20
            while pingers[n].answered_by(procs[n]["pid"]) == 0:
                if time.time() > deadline:
                    fail("%s never answered after the last restart" % n)
                time.sleep(0.005)
        elapsed = time.time() - t0
        for p in pingers.values():
            p.stop.set()
        for p in pingers.values():
            p.join(10)
        status = {p["name"]: p for p in node.status()}
        for n in NAMES:
            if status[n]["restarts"] < rounds:
                fail("%s restarted %d times, expected >= %d" % (n, status[n]["restarts"], rounds))
            if len(pingers[n].pids) < rounds + 1:
                fail("%s: pings answered by %d pids, expected %d" % (n, len(pingers[n].pids), rounds + 1))
        if node.proc.poll() is not None:
            fail("supervisor died")
        fds1 = settle_fds(sup, fds0)
        z1 = len(zombies_of(sup))
        if fds1 != fds0:
            fail("supervisor fds: %d at start, %d after %d rounds: %s" %
                 (fds0, fds1, rounds, os.listdir("/proc/%d/fd" % sup)))
        if z1 != z0 or z1 != 0:
            fail("zombies: %d at start, %d at end" % (z0, z1))
        node.proc.send_signal(signal.SIGTERM)
        rc = node.wait_exit(30)
        if rc != 0:
            fail("smallnanod exit status %r after SIGTERM\n%s" % (rc, node.read_log()))
        total_ok = sum(p.ok for p in pingers.values())
        total_err = sum(p.errors for p in pingers.values())
        print("ok: %d rounds x %d children killed in %.1f s; %d pings answered, %d failed "
              "(during restarts); supervisor fds %d -> %d, zombies %d"
              % (rounds, len(NAMES), elapsed, total_ok, total_err, fds0, fds1, z1))


if __name__ == "__main__":
    main()
