"""A node started on a ledger holding a large backlog of unconfirmed blocks
(built by the ledger benchmark: `bench_ledger -n N -d DIR -k`, signed dev
blocks with work, the genesis account keeping 80 % of the weight, which the
node's demo wallet votes with) must stay up, with no child restarted (same
pids throughout), and cement every block within a bounded time.

N is 100,000, as issue 9 asks (building the ledger takes about 14 s with
the sanitizers, cementing it about as long); docs/benchmarks.md has the
figures.

usage: test_backlog.py SMALLNANOD BENCH_LEDGER [N]
"""
import os
import shutil
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from devnet import DevNode, DevnetError, RpcError, free_port  # noqa: E402
from nodeutil import fail  # noqa: E402

CEMENT_S = 45


def main():
    if len(sys.argv) not in (3, 4):
        fail("usage: test_backlog.py SMALLNANOD BENCH_LEDGER [N]")
    smallnanod, bench = sys.argv[1], sys.argv[2]
    n_blocks = int(sys.argv[3]) if len(sys.argv) == 4 else 100000
    work = tempfile.mkdtemp(prefix="smn-backlog-")
    try:
        t0 = time.time()
        r = subprocess.run([bench, "-n", str(n_blocks), "-d", work, "-k",
                            "-c", os.path.join(work, "blocks")],
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=120)
        if r.returncode != 0:
            fail("bench_ledger exited %d:\n%s" % (r.returncode, r.stdout.decode()))
        db = os.path.join(work, "ledger.db")
        if not os.path.exists(db):
            fail("bench_ledger -k left no %s:\n%s" % (db, r.stdout.decode()))
        print("ledger of %d unconfirmed blocks built in %.1f s" % (n_blocks, time.time() - t0))

        node = DevNode(smallnanod, 1, free_port(), free_port())
        try:
            os.makedirs(node.data)
            shutil.move(db, os.path.join(node.data, "ledger.db"))
            t_start = time.time()
            node.start()
            ready = node.wait_ready(timeout=60)
            pids = {name: p["pid"] for name, p in ready.items()}
            total = n_blocks + 1  # and genesis
            last = None
            samples = []
            deadline = time.time() + CEMENT_S
            while time.time() < deadline:
                if not node.running():
                    fail("smallnanod exited (%s):\n%s" % (node.proc.returncode, node.log_tail()))
                now = node.pids()
                if now != pids:
                    fail("a child restarted: %r -> %r\n%s" % (pids, now, node.log_tail()))
                try:
                    c = node.rpc("block_count", timeout=10)
                except (OSError, RpcError) as e:
                    fail("rpc block_count failed while cementing: %r\n%s" % (e, node.log_tail()))
                last = (int(c["count"]), int(c["cemented"]))
                samples.append((time.time() - t_start, last[1]))
                if last[0] != total:
                    fail("block_count %d, expected %d" % (last[0], total))
                if last[1] == total:
                    break
                time.sleep(0.5)
            took = time.time() - t_start
            if last is None or last[1] != total:
                fail("cemented %s of %d within %d s of the start (samples %r)\n%s"
                     % (last and last[1], total, CEMENT_S, samples[-5:], node.log_tail()))
            for name, p in node.status_by_name().items():
                if p["restarts"]:
                    fail("%s restarted %d times" % (name, p["restarts"]))
            print("all %d blocks cemented %.1f s after the node started (%.0f blocks/s), "
                  "no child restarted" % (total, took, n_blocks / took))
        finally:
            node.cleanup()
    except DevnetError as e:
        fail(str(e))
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print("ok")


if __name__ == "__main__":
    main()
