"""SIGTERM stops the whole tree: children stopped in reverse dependency
order (rpc first, ledger last), each exiting cleanly (status 0 also means no
leak report from the sanitizers), the supervisor exits 0, nothing is left
behind and the sockets are removed.

usage: test_sigterm.py SMALLNANOD
"""
import os
import re
import signal
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "integration"))
from nodeutil import NAMES, Node, alive, fail  # noqa: E402


def main():
    with Node(sys.argv[1], "") as node:
        procs = node.wait_ready()
        pids = {n: procs[n]["pid"] for n in NAMES}
        t0 = time.time()
        node.proc.send_signal(signal.SIGTERM)
        rc = node.wait_exit(30)
        log = node.read_log()
        if rc != 0:
            fail("exit status %r after SIGTERM\n%s" % (rc, log))
        left = [n for n, p in pids.items() if alive(p)]
        if left:
            fail("still running after the supervisor exited: %r" % left)
        order = re.findall(r"^info supervisor: (\w+) \(pid \d+\) exited with status 0$", log, re.M)
        if order != list(reversed(NAMES)):
            fail("stop order %r, expected %r\n%s" % (order, list(reversed(NAMES)), log))
        run = os.path.join(node.data, "run")
        socks = [f for f in os.listdir(run) if f.endswith(".sock")]
        if socks:
            fail("sockets left in %s: %r" % (run, socks))
        print("ok: stopped in %.2f s, order %s" % (time.time() - t0, " ".join(order)))

    # SIGINT does the same.
    with Node(sys.argv[1], "") as node:
        node.wait_ready()
        node.proc.send_signal(signal.SIGINT)
        if node.wait_exit(30) != 0:
            fail("exit status %r after SIGINT\n%s" % (node.proc.returncode, node.read_log()))

    # Killing the supervisor outright leaves no orphan: PR_SET_PDEATHSIG.
    with Node(sys.argv[1], "") as node:
        procs = node.wait_ready()
        node.proc.kill()
        node.proc.wait()
        deadline = time.time() + 10
        while time.time() < deadline and any(alive(p["pid"]) for p in procs.values()):
            time.sleep(0.02)
        left = [n for n, p in procs.items() if alive(p["pid"])]
        if left:
            fail("orphans after SIGKILL of the supervisor: %r" % left)
    print("ok: SIGINT clean, no orphans after SIGKILL of the supervisor")


if __name__ == "__main__":
    main()
