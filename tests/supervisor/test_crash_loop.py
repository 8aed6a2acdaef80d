"""A child that exits at start (SMN_TEST_CRASH=vm) is restarted with backoff
until it passes MaxR restarts in MaxT seconds; then the node stops every
other child, logs the give-up line naming the child, and exits non-zero.

usage: test_crash_loop.py SMALLNANOD
"""
import os
import re
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "integration"))
from nodeutil import Node, alive, children_of, fail  # noqa: E402

CONFIG = """
[supervisor]
max_restarts = 3
max_restart_window_s = 30
restart_backoff_ms = 20
restart_backoff_max_ms = 200
"""


def main():
    with Node(sys.argv[1], CONFIG, env={"SMN_TEST_CRASH": "vm"}) as node:
        t0 = time.time()
        seen = set()
        while node.proc.poll() is None and time.time() - t0 < 30:
            seen |= {p for p, _ in children_of(node.proc.pid)}
            time.sleep(0.01)
        rc = node.wait_exit(1)
        log = node.read_log()
        if rc is None:
            fail("smallnanod still running after 30 s of crash loop\n" + log)
        if rc == 0:
            fail("exit status 0 after giving up\n" + log)
        m = re.search(r"^error supervisor: vm restarted (\d+) times in (\d+) s, giving up$", log, re.M)
        if not m or int(m.group(1)) != 3:
            fail("no give-up line for vm with 3 restarts:\n" + log)
        starts = len(re.findall(r"started vm \(pid", log))
        if starts != 4:
            fail("vm started %d times, expected 4 (1 + 3 restarts)\n%s" % (starts, log))
        left = [p for p in seen if alive(p) and node.data.encode() in open("/proc/%d/cmdline" % p, "rb").read()]
        if left:
            fail("processes left behind: %r" % left)
        print("ok: exit %d after %.1f s: %s" % (rc, time.time() - t0, m.group(0)))


if __name__ == "__main__":
    main()
