"""Bootstrap at scale (issue 12): a fresh node syncs a many-account ledger
built by bench_ledger from its peers, and cements all of it.

A ledger of N blocks (bench_ledger -n N -k; N = 20,000 by default so the
test stays under a minute under sanitizers; SMN_BOOT_BLOCKS overrides it)
is copied into the data dir of every source node, which then cements it
itself (every dev node votes with the genesis key). A fresh node peered
with the sources must reach the sources' block_count, and then cement all
of it (its elections' backlog scheduler finds the synced frontiers), with
nothing left in unchecked.

Modes:
  two      two real sources;
  kill     two real sources, the syncing node's bootstrap child SIGKILLed
           twice mid-sync (at a third and at two thirds of the blocks pulled:
           stored, or waiting in unchecked for a dependency);
  nodekill two real sources, the whole syncing node (supervisor and every
           child) SIGKILLed once mid-sync (at half of the blocks pulled) and
           started again on its data dir: it resumes and ends identical (no
           block lost; none applied twice, or the counts would differ);
  bounded  two real sources, a 6,000-block ledger and the fresh node's
           [ledger] max_unchecked = 1024: the bootstrap's hold hands blocks
           to the ledger in dependency order (docs/bootstrap.md), so
           `unchecked` must stay below the bound (sampled every 50 ms:
           nothing evicted);
  pruned   a 6,000-block ledger, one full source and one that prunes
           ([ledger] max_blocks_per_account = 8, so it keeps the last 8
           cemented blocks of each 50-block chain and answers `unavailable`
           below them): the fresh node must get every chain from the full
           one (its log must show the pruned peer's refusals);
  garbage  one real source and one lying peer (a Python node that completes
           the handshake and lists the real frontiers, but answers every
           bulk_pull with blocks whose signatures are broken, or with a
           chain that does not link): the sync must finish from the honest
           one and the liar must be scored down.

Prints: seconds to synced and to cemented, blocks/s, peak RSS (VmHWM) of
the syncing node's children (the largest one and their sum).

usage: test_bootstrap_sync.py SMALLNANOD BENCH_LEDGER MODE
"""
import contextlib
import os
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from devnet_blocks import Key  # noqa: E402
from nodeutil import children_of, fail, ledger_db, vm_hwm_kib  # noqa: E402
from test_devnet_three import DevNode, wait_for  # noqa: E402

MAGIC = b"SD"


def counts(node):
    r = node.rpc("block_count")
    return int(r["count"]), int(r["cemented"]), int(r.get("unchecked", 0))


def elections_metrics(node):
    """(started, confirmed) from the node's /metrics, or None before the
    elections process reported both."""
    with urllib.request.urlopen("http://127.0.0.1:%d/metrics" % node.rpc_port,
                                timeout=10) as r:
        text = r.read().decode()
    v = {}
    for line in text.splitlines():
        f = line.split()
        if len(f) == 2 and f[0] in ("smallnano_elections_started_total",
                                    "smallnano_elections_confirmed_total"):
            v[f[0]] = int(float(f[1]))
    if len(v) != 2 or v["smallnano_elections_confirmed_total"] == 0:
        return None
    return v["smallnano_elections_started_total"], v["smallnano_elections_confirmed_total"]


def build_ledger(bench, n, out_dir):
    r = subprocess.run([bench, "-n", str(n), "-d", out_dir, "-k"], capture_output=True,
                       text=True, timeout=300)
    if r.returncode != 0:
        fail("bench_ledger failed:\n" + r.stdout + r.stderr)
    rate = [l for l in r.stdout.splitlines() if l.startswith("processed:")]
    print("bench_ledger: " + (rate[0] if rate else "?"))
    return os.path.join(out_dir, "ledger.db")


def source_node(smallnanod, index, db, stack, peers=(), extra=""):
    n = stack.enter_context(DevNode(smallnanod, index, peers, elections=extra,
                                    autostart=False))
    os.makedirs(n.data, exist_ok=True)
    shutil.copy(db, os.path.join(n.data, "ledger.db"))
    n.start()
    n.wait_ready(timeout=60)
    return n


def hwm(node):
    kids = children_of(node.proc.pid)
    per = {p: vm_hwm_kib(p) for p, _ in kids}
    return max(per.values() or [0]), sum(per.values())


# ---------------------------------------------------------------- a lying peer


def frame(typ, payload, flags=0):
    return MAGIC + bytes([1, 1, typ]) + struct.pack(">HI", flags, len(payload)) + payload


class LoopbackPeer:
    """A Python peer on loopback: accepts whoever dials it, one thread per
    connection running self._serve(conn); closes everything on exit."""

    def __init__(self, sock=None):
        self.key = Key()
        if sock is None:
            sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            sock.bind(("127.0.0.1", 0))
            sock.listen(8)
        self.sock = sock
        self.port = self.sock.getsockname()[1]
        self.stop = False
        self.pulls = 0
        self.conns = []
        self.thread = threading.Thread(target=self._accept, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.stop = True
        self.sock.close()
        for c in self.conns:
            with contextlib.suppress(OSError):
                c.close()
        return False

    def _accept(self):
        while not self.stop:
            try:
                c, _ = self.sock.accept()
            except OSError:
                return
            self.conns.append(c)
            threading.Thread(target=self._serve, args=(c,), daemon=True).start()

    @staticmethod
    def _read(c, n):
        buf = b""
        while len(buf) < n:
            d = c.recv(n - len(buf))
            if not d:
                raise OSError("closed")
            buf += d
        return buf

    def _serve(self, c):
        raise NotImplementedError


class LyingPeer(LoopbackPeer):
    """Completes the handshake of whoever dials it, lists the real ledger's
    frontiers, serves garbage for every bulk_pull."""

    def __init__(self, db):
        super().__init__()
        self.db = db

    def _serve(self, c):
        db = ledger_db(self.db)
        try:
            while not self.stop:
                h = self._read(c, 11)
                typ, flags, length = h[4], struct.unpack(">H", h[5:7])[0], \
                    struct.unpack(">I", h[7:11])[0]
                p = self._read(c, length)
                if typ == 1 and flags & 1:  # handshake query: answer with ours
                    cookie = os.urandom(32)
                    sig = self.key.sign(b"smn handshake" + MAGIC + p[:32])
                    c.sendall(frame(1, cookie + self.key.public + sig, 3))
                elif typ == 6:  # frontier_req: the real frontiers
                    start = p[:32]
                    rows = db.execute("SELECT account, frontier FROM accounts WHERE account >= ?"
                                      " ORDER BY account LIMIT 128", (start,)).fetchall()
                    c.sendall(frame(7, b"".join(a + f for a, f in rows) + bytes(64)))
                elif typ == 8:  # bulk_pull: garbage
                    self.pulls += 1
                    c.sendall(frame(9, self._garbage(db, p, flags)))
        except OSError:
            pass
        finally:
            db.close()

    def _garbage(self, db, p, flags):
        account, end = p[:32], p[32:64]
        after = 0
        if end != bytes(32):
            row = db.execute("SELECT height FROM blocks WHERE hash = ?", (end,)).fetchone()
            after = row[0] if row else 0
        rows = db.execute("SELECT block FROM blocks WHERE account = ? AND height > ? "
                          "ORDER BY height LIMIT 8", (account, after)).fetchall()
        if not (flags & 1) or not rows:
            # a descending lookup: a random block that is not the one asked for
            return b"\x06" + os.urandom(216) + b"\x01"
        out = b""
        for i, (blk,) in enumerate(rows):
            blk = bytearray(blk)
            if self.pulls % 2:
                blk[150] ^= 0xFF  # inside the signature: bad_signature
            elif i == 0:
                blk[40] ^= 0x01  # previous: the chain does not hang from ours
            out += b"\x06" + bytes(blk)
        return out + b"\x01"


# ---------------------------------------------------------------- the test


def main():
    if len(sys.argv) != 4 or sys.argv[3] not in ("two", "kill", "nodekill", "garbage", "bounded",
                                                     "pruned"):
        fail("usage: test_bootstrap_sync.py SMALLNANOD BENCH_LEDGER "
             "two|kill|nodekill|garbage|bounded|pruned")
    smallnanod, bench, mode = sys.argv[1:4]
    small = mode in ("bounded", "pruned")
    nblocks = int(os.environ.get("SMN_BOOT_BLOCKS", "6000" if small else "20000"))
    bound = 1024 if mode == "bounded" else 0
    tmp = tempfile.mkdtemp(prefix="smn-bootsync-")
    try:
        with contextlib.ExitStack() as stack:
            db = build_ledger(bench, nblocks, tmp)
            t0 = time.time()
            a = source_node(smallnanod, 1, db, stack)
            srcs = [a]
            peer_ports = [a.peer_port]
            liar = None
            if mode == "garbage":
                liar = stack.enter_context(LyingPeer(db))
                peer_ports.append(liar.port)
            else:
                prune = "[ledger]\nmax_blocks_per_account = 8\n" if mode == "pruned" else ""
                b = source_node(smallnanod, 2, db, stack, extra=prune)
                srcs.append(b)
                peer_ports.append(b.peer_port)
                if mode == "pruned":
                    # b cements its copy and prunes as it goes: wait until it
                    # holds no account's open block any more.
                    bdb = os.path.join(b.data, "ledger.db")

                    def pruned():
                        with contextlib.closing(ledger_db(
                                bdb, timeout=5)) as q:
                            row = q.execute("SELECT value FROM meta WHERE key = "
                                            "'count_pruned'").fetchone()
                            # no row until the first block is pruned
                            return row is not None and row[0] >= nblocks // 2
                    wait_for("the pruned source prunes", pruned, 50, [b], step=0.5)
            total = counts(a)[0]
            if total != nblocks + 1:
                fail("source holds %d blocks, expected %d" % (total, nblocks + 1))
            print("sources up in %.1f s" % (time.time() - t0))

            extra = "[ledger]\nmax_unchecked = %d\n" % bound if bound else ""
            c = stack.enter_context(DevNode(smallnanod, 3, peer_ports, elections=extra))
            peak_unchecked = [0]
            c.wait_ready(timeout=60)
            t_start = time.time()
            kills = []

            shown = [time.time()]

            def progress():
                if time.time() - shown[0] >= 5:
                    shown[0] = time.time()
                    print("  %.0f s: (blocks, cemented, unchecked) %r"
                          % (time.time() - t_start, counts(c)), flush=True)

            def synced():
                progress()
                cnt, _, unchecked = counts(c)
                peak_unchecked[0] = max(peak_unchecked[0], unchecked)
                # Pulled so far: stored or waiting in unchecked for a dependency.
                if mode == "kill" and len(kills) < 2 and \
                        cnt + unchecked >= total * (len(kills) + 1) // 3:
                    old = {p["name"]: p["pid"] for p in c.status()}["bootstrap"]
                    os.kill(old, signal.SIGKILL)
                    kills.append(cnt)
                    print("SIGKILL bootstrap at %d blocks + %d unchecked" % (cnt, unchecked))
                if mode == "nodekill" and not kills and cnt + unchecked >= total // 2:
                    pids = [c.proc.pid] + [p for p, _ in children_of(c.proc.pid)]
                    for p in pids:
                        try:
                            os.kill(p, signal.SIGKILL)
                        except ProcessLookupError:
                            pass
                    c.proc.wait()
                    kills.append(cnt)
                    print("SIGKILL the whole node at %d blocks + %d unchecked" % (cnt, unchecked))
                    c.start()
                    c.wait_ready(timeout=60, exclude_pids=set(pids))
                    return False
                return cnt >= total

            wait_for("the fresh node reaches %d blocks" % total, synced, 50, [c], step=0.05)
            t_synced = time.time() - t_start
            if mode == "kill" and len(kills) != 2:
                fail("the bootstrap was killed %d times, expected 2" % len(kills))
            if mode == "nodekill" and len(kills) != 1:
                fail("the node was killed %d times, expected 1" % len(kills))

            # Cemented on the sources and on the fresh node: all of it.
            wait_for("everything cemented", lambda: progress() or all(
                counts(n)[1] == total for n in srcs + [c]), 50, srcs + [c], step=0.2)
            t_cemented = time.time() - t_start
            cnt, cem, unchecked = counts(c)
            for n in srcs:
                if counts(n)[:2] != (cnt, cem):
                    fail("source %d ends at %r, the fresh node at %r" % (n.index, counts(n),
                                                                          (cnt, cem)))
            if cnt != total or cem != total:
                fail("fresh node: %d blocks, %d cemented; expected %d" % (cnt, cem, total))
            if unchecked:
                fail("%d blocks left in unchecked" % unchecked)
            # Synced blocks get no election each: the backlog elects the
            # chains' frontiers (docs/bootstrap.md "Confirmation afterwards").
            started, confirmed = wait_for("the elections' metrics", lambda: elections_metrics(c),
                                          20, [c], step=0.5)
            print("elections started %d, confirmed %d, for %d blocks synced"
                  % (started, confirmed, total))
            if started * 4 >= total:
                fail("the fresh node started %d elections for %d synced blocks: one a block?"
                     % (started, total))
            top, allk = hwm(c)
            log = c.read_log()
            print("peak unchecked %d" % peak_unchecked[0])
            if bound:
                # At the bound the ledger evicts; below it nothing was lost.
                if peak_unchecked[0] >= bound:
                    fail("unchecked reached %d, its bound is %d" % (peak_unchecked[0], bound))
                if "unchecked is full" in log:
                    fail("the ledger evicted unchecked blocks:\n" + log[-3000:])
            print("%s: %d blocks synced in %.1f s (%.0f blocks/s), cemented at %.1f s; "
                  "peak RSS: largest child %.1f MiB, all children %.1f MiB"
                  % (mode, total, t_synced, total / t_synced, t_cemented, top / 1024,
                     allk / 1024))
            if mode == "pruned" and "cannot serve some chains" not in log:
                fail("the pruned peer never answered unavailable:\n" + log[-4000:])
            if mode == "garbage":
                if liar.pulls == 0:
                    fail("the lying peer was never asked for blocks")
                if "scoring it down" not in log:
                    fail("the lying peer's garbage was not noticed:\n" + log[-4000:])
                print("the lying peer answered %d pulls" % liar.pulls)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print("ok")


if __name__ == "__main__":
    main()
