"""Bootstrap benchmark (not a test): a fresh node syncs an N-block
bench_ledger ledger from P peers on loopback.

1. bench_ledger -n N -k builds the ledger and reports its own processing
   rate (blocks/s into a fresh database, in this run, on this machine);
2. bench_ledger -x cements all of a copy of it (in process): that
   ledger.db is the peers' copy, so the peers do no cementing work during
   the measurement;
3. P peer nodes start on copies of it, then a fresh node peered with all of
   them; we time it to "synced" (block_count equal to the peers') and to
   "cemented" (cemented count equal too), sample the peak RSS (VmHWM) of
   each of its children, and count the bytes its peer connections received
   (ss -tin bytes_received, summed over its sockets to the peers' ports,
   sampled until they close).

usage: bench_bootstrap.py SMALLNANOD BENCH_LEDGER [-n N] [-p PEERS] [-d DIR] [-u MAX_UNCHECKED]
                          [-c CACHE_MIB] [-r]
"""
import argparse
import contextlib
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "integration"))
from nodeutil import children_of, cmdline, vm_hwm_kib, vm_rss_kib  # noqa: E402
from test_devnet_three import DevNode  # noqa: E402


def counts(node):
    r = node.rpc("block_count")
    return int(r["count"]), int(r["cemented"]), int(r.get("unchecked", 0))


def wait(what, cond, timeout, step=0.5):
    deadline = time.time() + timeout
    while time.time() < deadline:
        with contextlib.suppress(Exception):
            v = cond()
            if v:
                return v
        time.sleep(step)
    raise SystemExit("%s: not within %.0f s" % (what, timeout))


def rx_bytes(ports):
    """bytes_received of established TCP sockets whose remote port is one of ports."""
    out = subprocess.run(["ss", "-tinH", "state", "established"], capture_output=True,
                         text=True).stdout
    total = 0
    lines = out.splitlines()
    for i, line in enumerate(lines):
        f = line.split()
        if len(f) < 4:
            continue
        peer = f[-1] if ":" in f[-1] else f[3]
        try:
            port = int(peer.rsplit(":", 1)[1])
        except (ValueError, IndexError):
            continue
        if port in ports and i + 1 < len(lines):
            m = re.search(r"bytes_received:(\d+)", lines[i + 1])
            if m:
                total += int(m.group(1))
    return total


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("smallnanod")
    ap.add_argument("bench_ledger")
    ap.add_argument("-n", type=int, default=1000000)
    ap.add_argument("-p", type=int, default=1)
    ap.add_argument("-d", default=None, help="keep the built, cemented ledger here")
    ap.add_argument("-u", type=int, default=0,
                    help="[ledger] max_unchecked of the syncing node (0: the default, 65536)")
    ap.add_argument("-c", type=int, default=0,
                    help="[ledger] cache_mib of the syncing node (0: the default, 64)")
    ap.add_argument("-r", dest="reuse", action="store_true",
                    help="reuse the ledger and rate already in -d (no bench_ledger run)")
    a = ap.parse_args()
    work = a.d or tempfile.mkdtemp(prefix="smn-bench-boot-")
    os.makedirs(work, exist_ok=True)
    cemented_db = os.path.join(work, "cemented-%d.db" % a.n)
    try:
        rate_file = os.path.join(work, "bench_ledger-%d.rate" % a.n)
        if a.reuse and os.path.exists(rate_file) and os.path.exists(cemented_db):
            with open(rate_file) as f:
                rate = [f.read().strip() + " (an earlier run, -r)"]
        else:
            r = subprocess.run([a.bench_ledger, "-n", str(a.n), "-d", work, "-k"],
                               capture_output=True, text=True)
            rate = [l for l in r.stdout.splitlines() if l.startswith("processed:")]
            if rate:
                with open(rate_file, "w") as f:
                    f.write(rate[0])
        print("bench_ledger -n %d: %s" % (a.n, rate[0] if rate else r.stdout + r.stderr),
              flush=True)
        total = a.n + 1
        with contextlib.ExitStack() as stack:
            if not os.path.exists(cemented_db):
                # bench_ledger -x cements every account's frontier in
                # process (a node's own elections would take far longer).
                t0 = time.time()
                cem = os.path.join(work, "cement")
                os.makedirs(cem, exist_ok=True)
                shutil.copy(os.path.join(work, "ledger.db"), os.path.join(cem, "ledger.db"))
                r = subprocess.run([a.bench_ledger, "-n", str(a.n), "-d", cem, "-x", "-k"],
                                   capture_output=True, text=True)
                if r.returncode != 0:
                    raise SystemExit("bench_ledger -x: " + r.stdout + r.stderr)
                shutil.move(os.path.join(cem, "ledger.db"), cemented_db)
                print("peers' copy cemented in %.0f s (bench_ledger -x)" % (time.time() - t0),
                      flush=True)
            peers = []
            for i in range(a.p):
                n = stack.enter_context(DevNode(a.smallnanod, i + 1, autostart=False))
                os.makedirs(n.data, exist_ok=True)
                shutil.copy(cemented_db, os.path.join(n.data, "ledger.db"))
                n.start()
                peers.append(n)
            for n in peers:
                n.wait_ready(timeout=120)
            ports = {n.peer_port for n in peers}
            extra = "[ledger]\n" if a.u or a.c else ""
            extra += "max_unchecked = %d\n" % a.u if a.u else ""
            extra += "cache_mib = %d\n" % a.c if a.c else ""
            c = stack.enter_context(DevNode(a.smallnanod, 7, sorted(ports), elections=extra))
            c.wait_ready(timeout=120)
            t0 = time.time()
            hwm, rx, together = {}, [0], [0]

            def sample():
                now = 0
                for pid, _ in children_of(c.proc.pid):
                    name = os.path.basename(cmdline(pid).split(b"\0")[0].decode() or "?")
                    hwm[name] = max(hwm.get(name, 0), vm_hwm_kib(pid))
                    now += vm_rss_kib(pid)
                # The children's peaks need not coincide (rpc's is its one
                # Argon2id derivation at start, freed after): the largest
                # sum of their resident memory at one sample is the node's.
                together[0] = max(together[0], now)
                rx[0] = max(rx[0], rx_bytes(ports))

            last = [0]

            def synced():
                sample()
                cnt, cem, unc = counts(c)
                if time.time() - last[0] > 10:
                    last[0] = time.time()
                    b = {}
                    with contextlib.suppress(Exception):
                        b = c.rpc("bootstrap_status")
                    print("  %5.0f s: %d blocks, %d cemented, %d unchecked; bootstrap: pulled %s, "
                          "accepted %s, waiting %s"
                          % (time.time() - t0, cnt, cem, unc, b.get("pulled", "?"),
                             b.get("accepted", "?"), b.get("waiting", "?")), flush=True)
                return cnt >= total

            wait("synced", synced, 7200, 0.5)
            t_sync = time.time() - t0
            print("synced: %d blocks in %.1f s (%.0f blocks/s); peak RSS so far: %s MiB"
                  % (total, t_sync, total / t_sync,
                     ", ".join("%s %.0f" % (k.replace("smallnano-", ""), v / 1024)
                               for k, v in sorted(hwm.items()))), flush=True)
            wait("cemented", lambda: sample() or synced() and counts(c)[1] >= total, 7200, 0.5)
            t_cem = time.time() - t0
            sample()
            top = max(hwm.values())
            print("bootstrap of %d blocks from %d peer%s: synced in %.1f s (%.0f blocks/s), "
                  "cemented in %.1f s (%.0f blocks/s); %.0f bytes received per block; "
                  "peak RSS: largest child %.1f MiB (%s), all children's peaks %.1f MiB, "
                  "the node's resident total at most %.1f MiB (sampled every 0.5 s)"
                  % (total, a.p, "" if a.p == 1 else "s", t_sync, total / t_sync, t_cem,
                     total / t_cem, rx[0] / total, top / 1024,
                     ", ".join("%s %.0f" % (k.replace("smallnano-", ""), v / 1024)
                               for k, v in sorted(hwm.items())),
                     sum(hwm.values()) / 1024, together[0] / 1024), flush=True)
    finally:
        if not a.d:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
