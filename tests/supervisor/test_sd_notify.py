"""systemd notifications on a datagram socket given as NOTIFY_SOCKET:
READY=1 once every child is ready, STATUS= lines, WATCHDOG=1 at half of
WATCHDOG_USEC - and no WATCHDOG=1 while a child does not answer its
heartbeat (SIGSTOP), until the supervisor kills and restarts it.

usage: test_sd_notify.py SMALLNANOD
"""
import os
import signal
import socket
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "integration"))
from nodeutil import Node, fail  # noqa: E402

CONFIG = """
[supervisor]
heartbeat_interval_ms = 100
heartbeat_timeout_ms = 1500
restart_backoff_ms = 10
"""


def main():
    with Node(sys.argv[1], CONFIG, autostart=False) as node:
        path = os.path.join(node.dir, "notify.sock")
        s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        s.bind(path)
        s.settimeout(0.05)
        node.env["NOTIFY_SOCKET"] = path
        node.env["WATCHDOG_USEC"] = "200000"  # WATCHDOG=1 every 100 ms
        node.start()
        got = []  # (time, message)
        everything = []

        def pump(seconds):
            end = time.time() + seconds
            while time.time() < end:
                try:
                    msg = s.recv(4096).decode()
                    got.append((time.time(), msg))
                    everything.append(msg)
                except socket.timeout:
                    pass

        deadline = time.time() + 30
        while time.time() < deadline and not any("READY=1" in m for _, m in got):
            pump(0.1)
        if not any("READY=1" in m for _, m in got):
            fail("no READY=1: %r\n%s" % (got, node.read_log()))
        ready = [m for _, m in got if "READY=1" in m][0]
        if "STATUS=7/7 processes running" not in ready:
            fail("READY=1 without the status line: %r" % ready)
        pump(1.0)
        wd = [t for t, m in got if m == "WATCHDOG=1"]
        if len(wd) < 3:
            fail("only %d WATCHDOG=1 in 1 s after ready: %r" % (len(wd), got))

        # A hung child: no answer to heartbeats -> no WATCHDOG=1.
        procs = {p["name"]: p for p in node.status()}
        hung = procs["elections"]["pid"]
        os.kill(hung, signal.SIGSTOP)
        t_stop = time.time()
        got.clear()
        pump(1.0)
        late = [m for t, m in got if m == "WATCHDOG=1" and t > t_stop + 0.4]
        if late:
            fail("WATCHDOG=1 while elections was stopped: %r" % got)
        # After heartbeat_timeout_ms it is killed, restarted, and the watchdog resumes.
        node.wait_ready(timeout=20, exclude_pids={hung})
        got.clear()
        pump(1.0)
        if not any(m == "WATCHDOG=1" for _, m in got):
            fail("watchdog did not resume after the restart: %r\n%s" % (got, node.read_log()))
        if "elections (pid %d) did not answer a heartbeat" % hung not in node.read_log():
            fail("no log line for the hung child\n" + node.read_log())
        if "STATUS=6/7 processes running" not in everything:
            fail("no STATUS line for the restart: %r" % everything)
        node.proc.send_signal(signal.SIGTERM)
        rc = node.wait_exit(30)
        pump(0.2)
        if rc != 0:
            fail("exit status %r" % rc)
        if not any("STOPPING=1" in m for _, m in got):
            fail("no STOPPING=1: %r" % got)
        s.close()
        print("ok: READY=1, %d watchdog pings/s, paused for a hung child, resumed after restart" % len(wd))


if __name__ == "__main__":
    main()
