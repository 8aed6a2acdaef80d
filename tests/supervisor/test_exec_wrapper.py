"""[supervisor] exec_wrapper: every child is exec'd through the configured
command line, split into argv without a shell. A wrapper script (a
directory with a space and an argument with a space and a quote, passed
through quoting) records each run and execs the child, which then runs
normally: the tree gets ready, the recorded pids are the children's pids
(the wrapper exec'd, it did not fork), and SIGTERM still stops it cleanly.
Bad values are refused at start with one line that names the key.

usage: test_exec_wrapper.py SMALLNANOD
"""
import os
import shutil
import signal
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "integration"))
from nodeutil import NAMES, Node, cmdline, fail  # noqa: E402

WRAP = """#!/bin/sh
# records: its pid, its first argument, the child's executable
printf '%s|%s|%s\\n' "$$" "$1" "$2" >> "$(dirname "$0")/runs.log"
shift
exec "$@"
"""


def refused(smallnanod, value, expect):
    with Node(smallnanod, "[supervisor]\nexec_wrapper = %s\n" % value) as node:
        rc = node.wait_exit(30)
        log = node.read_log()
        if rc is None or rc == 0:
            fail("exec_wrapper = %s: not refused (rc %r)\n%s" % (value, rc, log))
        if expect not in log:
            fail("exec_wrapper = %s: no %r in the log\n%s" % (value, expect, log))


def main():
    smallnanod = sys.argv[1]
    tmp = tempfile.mkdtemp(prefix="smn-wrap-")
    try:
        wdir = os.path.join(tmp, "a dir")
        os.mkdir(wdir)
        wrap = os.path.join(wdir, "wrap.sh")
        with open(wrap, "w") as f:
            f.write(WRAP)
        os.chmod(wrap, 0o755)
        runs = os.path.join(wdir, "runs.log")
        conf = "[supervisor]\nexec_wrapper = '%s' \"it's one\"\n" % wrap
        with Node(smallnanod, conf) as node:
            procs = node.wait_ready()
            log = node.read_log()
            if "children run through" not in log:
                fail("no log line naming the wrapper\n" + log)
            with open(runs) as f:
                lines = [ln.rstrip("\n").split("|") for ln in f]
            if len(lines) != len(NAMES):
                fail("%d wrapper runs for %d children: %r" % (len(lines), len(NAMES), lines))
            by_pid = {int(p): (arg, exe) for p, arg, exe in lines}
            for name in NAMES:
                pid = procs[name]["pid"]
                if pid not in by_pid:
                    fail("%s (pid %d) did not run through the wrapper: %r" % (name, pid, lines))
                arg, exe = by_pid[pid]
                if arg != "it's one" or not exe.endswith("smallnano-" + name):
                    fail("%s: wrapper got %r %r" % (name, arg, exe))
                # the wrapper exec'd the child: the pid now runs the child itself
                if not cmdline(pid).split(b"\0")[0].endswith(b"smallnano-" + name.encode()):
                    fail("%s: pid %d runs %r" % (name, pid, cmdline(pid)))
            node.proc.send_signal(signal.SIGTERM)
            rc = node.wait_exit(30)
            if rc != 0:
                fail("exit status %r after SIGTERM\n%s" % (rc, node.read_log()))
        print("ok: %d children ran through the wrapper, stopped cleanly" % len(NAMES))

        refused(smallnanod, "env 'x", "[supervisor] exec_wrapper: invalid value 'env 'x': a quote is not closed")
        refused(smallnanod, "/nonexistent/qemu-arm -L /x",
                "[supervisor] exec_wrapper: '/nonexistent/qemu-arm' is not an executable file")
        refused(smallnanod, "no-such-wrapper-smn", "[supervisor] exec_wrapper: no executable 'no-such-wrapper-smn' in PATH")
        print("ok: bad values refused")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
