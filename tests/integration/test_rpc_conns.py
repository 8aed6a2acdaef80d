"""Slow clients cannot exhaust the rpc process (real node on loopback).

smallnanod runs under RLIMIT_NOFILE=1024 (preexec_fn), so rpc caps HTTP
connections at 1024 - 64. 1,100 clients connect and send one byte a second
of a request they never finish (request_timeout_s = 6). Meanwhile honest
requests are answered, rpc stays below its fd limit and well below 100% CPU
(utime+stime from /proc over a second), the node log stays small (no
accept-error spam), and rpc is never restarted.
"""
import os
import resource
import socket
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import nodeutil  # noqa: E402
from test_node_util import DevNode, check, run  # noqa: E402

SLOW = 1100
LIMIT = 1024
CONFIG = """
[rpc]
request_timeout_s = 6
[supervisor]
heartbeat_interval_ms = 200
heartbeat_timeout_ms = 2000
"""
REQUEST = b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 30\r\n\r\n"


def limit_fds():
    resource.setrlimit(resource.RLIMIT_NOFILE, (LIMIT, LIMIT))


class LimitedNode(DevNode):
    def start(self):
        self.log = open(self.log_path, "a")
        self.proc = subprocess.Popen(
            [self.bin, "--network", "dev", "--data-dir", self.data, "--config", self.conf]
            + self.extra_args,
            stdout=self.log, stderr=subprocess.STDOUT, env=self.env, preexec_fn=limit_fds)
        self.started.append(self.proc)
        return self.proc


def cpu_ticks(pid):
    with open("/proc/%d/stat" % pid) as f:
        st = f.read()
    fields = st[st.rfind(")") + 2:].split()
    return int(fields[11]) + int(fields[12])  # utime + stime


class Slow:
    """One client that sends a byte a second and reconnects when closed."""

    def __init__(self, port):
        self.port, self.sock, self.pos = port, None, 0
        self.reconnects = 0

    def connect(self):
        self.sock = socket.socket()
        self.sock.setblocking(False)
        try:
            self.sock.connect(("127.0.0.1", self.port))
        except BlockingIOError:
            pass
        except OSError:
            self.close()
        self.pos = 0

    def close(self):
        if self.sock:
            self.sock.close()
        self.sock = None

    def tick(self):
        if self.sock is None:
            self.reconnects += 1
            self.connect()
            return
        try:
            self.sock.send(REQUEST[self.pos % len(REQUEST):][:1])
            self.pos += 1
        except (BlockingIOError, InterruptedError):
            pass
        except OSError:
            self.close()


def main():
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (max(soft, min(hard, 8192)), hard))
    with LimitedNode(sys.argv[1], config=CONFIG) as n:
        rpc = {p["name"]: p for p in n.status()}["rpc"]
        pid = rpc["pid"]
        with open("/proc/%d/limits" % pid) as f:
            check("Max open files            1024" in f.read(), "rpc runs under the 1024 limit")
        check("at most %d connections" % (LIMIT - 64) in n.read_log(),
              "rpc logged its cap below the fd limit")
        log0 = os.path.getsize(n.log_path)
        slow = [Slow(n.rpc_port) for _ in range(SLOW)]
        for s in slow:
            s.connect()
        honest, worst, failures = 0, 0.0, []
        cpu = []
        max_fds = 0
        t_end = time.time() + 12  # four request timeouts
        last_tick = 0.0
        while time.time() < t_end:
            if time.time() - last_tick >= 1.0:
                last_tick = time.time()
                c0 = cpu_ticks(pid)
                for s in slow:
                    s.tick()
            t0 = time.time()
            try:
                st, r = n.call("block_count", timeout=5.0)
                if st != 200 or "count" not in r:
                    failures.append((st, r))
            except OSError as e:
                failures.append(repr(e))
            worst = max(worst, time.time() - t0)
            honest += 1
            max_fds = max(max_fds, nodeutil.fd_count(pid))
            if time.time() - last_tick >= 0.9 and 'c0' in dir():
                cpu.append((cpu_ticks(pid) - c0) / os.sysconf("SC_CLK_TCK") /
                           (time.time() - last_tick))
                del c0
            time.sleep(0.1)
        reconnects = sum(s.reconnects for s in slow)
        for s in slow:
            s.close()
        growth = os.path.getsize(n.log_path) - log0
        print("%d honest requests (slowest %.2f s, %d failed), %d slow reconnects, rpc fds <= %d, "
              "cpu per second %s, log grew %d bytes"
              % (honest, worst, len(failures), reconnects, max_fds,
                 ["%.0f%%" % (100 * c) for c in cpu], growth))
        check(not failures, "honest requests answered: %s" % failures[:3])
        # At the cap a new connection closes the oldest slow one at once; it
        # must not wait in the backlog until a slow one's deadline (6 s).
        check(worst < 3.0, "honest requests answered within 3 s (slowest %.2f s)" % worst)
        check(honest >= 30, "honest requests kept going (%d)" % honest)
        check(reconnects >= SLOW - (LIMIT - 64),
              "slow clients were closed (deadline or cap): %d reconnects" % reconnects)
        check(max_fds < LIMIT, "rpc stayed below its fd limit (%d)" % max_fds)
        check(cpu and max(cpu) < 0.6, "rpc not spinning: %s" % cpu)
        check(growth < 20000, "log growth bounded: %d bytes" % growth)
        rpc = {p["name"]: p for p in n.status()}["rpc"]
        check(rpc["restarts"] == 0 and rpc["pid"] == pid, "rpc never restarted: %s" % rpc)
        n.stop()


run(main)
