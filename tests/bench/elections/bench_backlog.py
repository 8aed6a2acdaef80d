"""A dev node started on a ledger of N unconfirmed blocks: how fast the
elections process works the backlog off, whether any child restarts, and
how long fresh sends take to confirm meanwhile.

The ledger is the ledger benchmark's output (`bench_ledger -n N -k`: the
dev genesis funds 2% of N accounts, which then trade, nothing cemented but
genesis). The node votes with the dev genesis key (its demo wallet), which
represents the whole supply, so every election it starts confirms at
once: what is measured is the scheduler (scan, backlog, frontier
elections, confirm queue) and the ledger's cementing, not the network.

While the backlog is worked off, a fresh send from the demo wallet goes
out every 100 ms; each one's time from the `send` RPC call to
`block_info` saying confirmed is recorded (polled every 2 ms).

usage: python3 tests/bench/elections/bench_backlog.py BUILD N [TIMEOUT] [--ledger DIR]
  TIMEOUT: seconds to wait for every block cemented (default 600).
  BUILD: a release build directory (BUILD/supervisor/smallnanod and
  BUILD/tests/bench/ledger/bench_ledger are used). A benchmark, never a test.
  --ledger DIR: copy DIR/ledger.db, kept by an earlier
  `bench_ledger -n N -d DIR -k`, instead of building it (at 1,000,000
  blocks the build takes minutes); it is copied, never changed.
Prints the cemented count every 10 s (the rate curve).
"""
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "integration"))
from nodeutil import vm_hwm_kib  # noqa: E402
from test_node_util import DevNode  # noqa: E402


def pct(xs, p):
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(len(xs) * p / 100))] if xs else float("nan")



def main():
    args = sys.argv[1:]
    kept = None
    if "--ledger" in args:
        i = args.index("--ledger")
        if i + 1 >= len(args):
            sys.exit("usage: bench_backlog.py BUILD N [TIMEOUT] [--ledger DIR]")
        kept = args[i + 1]
        del args[i:i + 2]
    if len(args) not in (2, 3):
        sys.exit("usage: bench_backlog.py BUILD N [TIMEOUT] [--ledger DIR]")
    build, n = args[0], int(args[1])
    limit = int(args[2]) if len(args) == 3 else 600
    tmp = tempfile.mkdtemp(prefix="smn-backlog-")
    try:
        t = time.time()
        if kept is None:
            kept = tmp
            subprocess.run([os.path.join(build, "tests/bench/ledger/bench_ledger"), "-n",
                            str(n), "-d", tmp, "-k"], check=True, stdout=subprocess.DEVNULL)
            print("built a ledger of %d blocks in %.1f s" % (n, time.time() - t))
        node = DevNode(os.path.join(build, "supervisor/smallnanod"))
        os.makedirs(node.data, exist_ok=True)
        shutil.copy(os.path.join(kept, "ledger.db"), os.path.join(node.data, "ledger.db"))
        with node:
            t0 = time.time()
            before = {p["name"]: p["pid"] for p in node.status()}
            wallet = node.ok("wallet_list")["wallets"][0]
            source = wallet["accounts"][0]
            dest = node.ok("key_create")["account"]
            lat, stop = [], threading.Event()

            def sender():
                while not stop.is_set():
                    ts = time.time()
                    h = node.ok("send", wallet=wallet["id"], source=source, destination=dest,
                                amount="1")["block"]
                    while not stop.is_set():
                        if node.ok("block_info", hash=h).get("confirmed") == "true":
                            lat.append(time.time() - ts)
                            break
                        time.sleep(0.002)
                    stop.wait(0.1)

            th = threading.Thread(target=sender)
            th.start()
            total = n + 1
            done_at = None
            samples = []
            while time.time() - t0 < limit:
                c = node.ok("block_count")
                cem, cnt = int(c["cemented"]), int(c["count"])
                samples.append((time.time() - t0, cem))
                if len(samples) % 40 == 0:
                    print("  %5.0f s: %d cemented" % (samples[-1][0], cem), flush=True)
                if cem >= total and cem == cnt:
                    done_at = time.time() - t0
                    break
                time.sleep(0.25)
            stop.set()
            th.join()
            try:
                metrics = urllib.request.urlopen("http://127.0.0.1:%d/metrics" % node.rpc_port,
                                                 timeout=10).read().decode()
            except OSError as e:
                metrics = "# /metrics: %s" % e
            after = {p["name"]: p["pid"] for p in node.status()}
            hwm = {p: vm_hwm_kib(pid) for p, pid in after.items() if pid}
            restarted = sorted(k for k in before if before[k] != after.get(k))
            if done_at is None:
                print("NOT DONE within %d s: cemented %d of %d" % (limit, samples[-1][1], total))
            else:
                print("cemented %d backlog blocks in %.1f s (%.0f blocks/s)"
                      % (n, done_at, n / done_at))
            print("children restarted: %s" % (", ".join(restarted) or "none"))
            print("fresh sends during the backlog: %d, send->confirmed p50 %.1f ms, "
                  "p99 %.1f ms, max %.1f ms" % (len(lat), pct(lat, 50) * 1e3, pct(lat, 99) * 1e3,
                                                 max(lat or [float("nan")]) * 1e3))
            if lat:
                print("first fresh send %.1f ms; sends over 1 s: %s"
                      % (lat[0] * 1e3, ", ".join("#%d %.0f ms" % (i, x * 1e3)
                                                 for i, x in enumerate(lat) if x > 1.0) or "none"))
            print("elections loop: " + ", ".join(
                line.split("smallnano_elections_", 1)[1] for line in metrics.splitlines()
                if line.startswith("smallnano_elections_step")
                or line.startswith("smallnano_elections_tick_max")))
            print("peak RSS (VmHWM): " + ", ".join("%s %.1f MiB" % (k, v / 1024)
                                                   for k, v in sorted(hwm.items())))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
