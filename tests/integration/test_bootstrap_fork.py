"""Bootstrap meets a fork (issue 12): a fresh node syncs first from a peer
that serves a validly signed fork of a chain the network has confirmed,
then meets an honest peer, and must end on the confirmed chain.

The ledger is bench_ledger's (-n 6000 -k; its accounts' keys follow from
its fixed seed, common/keys.c smn_key_from_seed), cemented in process
(bench_ledger -x) so the honest source B starts with every block
confirmed. Every dev node votes with the published genesis key, so the
ledger is built with -r: the genesis chain delegates the genesis's 80 %
to a representative key only B holds (smallnano-cli rep-key), and the
genesis key weighs nothing once its first send is in a ledger.

The forking peer is a Python node (test_bootstrap_sync.py's handshake)
that serves that ledger honestly except for one account X, the longest
chain: at height H = 3 it has a change block of its own, signed with X's
key and with valid work, and nothing above it (its frontier listing
shows the fork).

The fresh node C starts peered with the forking peer only, which lists
the genesis account alone until C's elections know their genesis key has
lost its weight, then everything; C syncs until the fork is in its ledger
(unconfirmed: C cannot confirm it alone). Then B starts, peered with C.
B does not know C's head of X, the fork, and says so: C must pull X again
from below it, see the conflict, confirm the original with B's votes (its
ledger rolls the fork back: "fork settled"), pull the rest of X and of the
chains that wait on X's sends, and end with B's block and cemented
counts, nothing in unchecked, and the fork absent from its ledger.

usage: test_bootstrap_fork.py SMALLNANOD BENCH_LEDGER
"""
import contextlib
import hashlib
import os
import shutil
import socket
import struct
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import devnet_blocks as blocks  # noqa: E402
from nodeutil import fail, ledger_db  # noqa: E402
from test_bootstrap_sync import LoopbackPeer, counts, frame  # noqa: E402
from test_devnet_three import DevNode, make_rep_key, wait_for  # noqa: E402

NBLOCKS = 6000
FORK_HEIGHT = 3
BENCH_SEED = bytes([0xBE, 0x4C]) + bytes(30)  # bench_ledger.c build_cache
PER_FRAME = 32  # blocks per bulk_pull_resp frame (docs/protocol.md)


def bench_key(index):
    """bench_ledger's account number index (smn_key_from_seed)."""
    return blocks.Key(hashlib.blake2b(BENCH_SEED + struct.pack(">I", index),
                                      digest_size=32).digest())


def make_fork(db):
    """A change block at FORK_HEIGHT of the longest non-genesis chain,
    signed with its key: (account, original block hash, fork wire)."""
    q = ledger_db(db)
    try:
        genesis = blocks.genesis_key().public
        account = q.execute("SELECT account FROM accounts WHERE account != ? "
                            "ORDER BY height DESC, account LIMIT 1", (genesis,)).fetchone()[0]
        below = q.execute("SELECT hash, block FROM blocks WHERE account = ? AND height = ?",
                          (account, FORK_HEIGHT - 1)).fetchone()
        orig = q.execute("SELECT hash FROM blocks WHERE account = ? AND height = ?",
                         (account, FORK_HEIGHT)).fetchone()[0]
    finally:
        q.close()
    key = None
    for i in range(NBLOCKS // 50 + 1):
        k = bench_key(i)
        if k.public == account:
            key = k
            break
    if key is None:
        fail("no bench_ledger key for account %s" % account.hex())
    prev_hash, prev_wire = below
    balance = int.from_bytes(prev_wire[96:112], "big")
    fork = blocks.Block(key, prev_hash, blocks.Key().public, balance, bytes(32), False)
    if fork.hash == orig:
        fail("the fork is the original block")
    return account, orig, fork


class ForkingPeer(LoopbackPeer):
    """Completes the handshake, lists the ledger's frontiers and serves its
    chains, ascending or descending, except that account X ends with a
    fork at FORK_HEIGHT."""

    def __init__(self, db, account, fork, sock):
        super().__init__(sock)  # listening already: the fresh node's config names its port
        self.db = db
        self.x = account
        self.fork = fork
        self.only = blocks.genesis_key().public  # list only this account (None: all)
        self.forks_served = 0

    def _serve(self, c):
        db = ledger_db(self.db, check_same_thread=False)
        try:
            while not self.stop:
                h = self._read(c, 11)
                typ, flags = h[4], struct.unpack(">H", h[5:7])[0]
                p = self._read(c, struct.unpack(">I", h[7:11])[0])
                if typ == 1 and flags & 1:  # handshake query: answer with ours
                    sig = self.key.sign(b"smn handshake" + b"SD" + p[:32])
                    c.sendall(frame(1, os.urandom(32) + self.key.public + sig, 3))
                elif typ == 6:
                    c.sendall(frame(7, self._frontiers(db, p[:32])))
                elif typ == 8:
                    self.pulls += 1
                    for f in self._pull(db, p, flags & 1):
                        c.sendall(f)
        except OSError:
            pass
        finally:
            db.close()

    def _frontiers(self, db, start):
        rows = db.execute("SELECT account, frontier FROM accounts WHERE account >= ? "
                          "ORDER BY account LIMIT 128", (start,)).fetchall()
        out = b""
        for a, f in rows:
            if self.only is None or a == self.only:
                out += a + (self.fork.hash if a == self.x else f)
        return out + bytes(64)

    def _height_of(self, db, h):
        """(account, height) of block h in this peer's view, or None."""
        if h == self.fork.hash:
            return self.x, FORK_HEIGHT
        row = db.execute("SELECT account, height FROM blocks WHERE hash = ?", (h,)).fetchone()
        if row is None or (row[0] == self.x and row[1] >= FORK_HEIGHT):
            return None
        return row

    def _block(self, db, account, height):
        if account == self.x and height == FORK_HEIGHT:
            self.forks_served += 1
            return self.fork.wire()
        if account == self.x and height > FORK_HEIGHT:
            return None
        row = db.execute("SELECT block FROM blocks WHERE account = ? AND height = ?",
                         (account, height)).fetchone()
        return bytes(row[0]) if row else None

    def _top(self, db, account):
        if account == self.x:
            return FORK_HEIGHT
        row = db.execute("SELECT height FROM accounts WHERE account = ?", (account,)).fetchone()
        return row[0] if row else 0

    def _pull(self, db, p, ascending):
        start, end = p[:32], p[32:64]
        count = struct.unpack(">I", p[64:68])[0] or 512
        out = []
        if ascending:
            after = 0
            if end != bytes(32):
                at = self._height_of(db, end)
                if at is None or at[0] != start:
                    return [frame(9, b"\x02")]  # unavailable: not a block of ours
                after = at[1]
            top = self._top(db, start)
            for hgt in range(after + 1, min(top, after + min(count, 512)) + 1):
                out.append(self._block(db, start, hgt))
        else:
            at = self._height_of(db, start)
            if at is None:
                at = (start, self._top(db, start))
            for hgt in range(at[1], max(at[1] - count, 0), -1):
                blk = self._block(db, at[0], hgt)
                if blk is None:
                    break
                out.append(blk)
                if self._height_of(db, end) == (at[0], hgt):
                    break
        frames = []
        for i in range(0, len(out), PER_FRAME):
            frames.append(b"".join(b"\x06" + b for b in out[i:i + PER_FRAME]))
        if not frames or len(frames[-1]) == PER_FRAME * 217:
            frames.append(b"")
        frames[-1] += b"\x01"
        return [frame(9, f) for f in frames]


def known(node, h):
    r = node.rpc("block_info", hash=h.hex().upper())
    return "error" not in r


def main():
    if len(sys.argv) != 3:
        fail("usage: test_bootstrap_fork.py SMALLNANOD BENCH_LEDGER")
    smallnanod, bench = sys.argv[1:3]
    cli = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(smallnanod))),
                       "procs", "cli", "smallnano-cli")
    tmp = tempfile.mkdtemp(prefix="smn-bootfork-")
    try:
        with contextlib.ExitStack() as stack:
            liar_port = socket.create_server(("127.0.0.1", 0))
            c = stack.enter_context(DevNode(smallnanod, 3, [liar_port.getsockname()[1]],
                                            autostart=False))
            b = stack.enter_context(DevNode(smallnanod, 2, [c.peer_port], autostart=False))
            rep_conf, rep = make_rep_key(cli, b)
            with open(b.conf, "a") as f:
                f.write(rep_conf)
            for args in (["-n", str(NBLOCKS), "-c", os.path.join(tmp, "blocks"), "-d", tmp, "-k",
                          "-r", blocks.public_of(rep).hex()], ["-x", "-d", tmp]):
                r = subprocess.run([bench] + args, capture_output=True, text=True, timeout=300)
                if r.returncode != 0:
                    fail("bench_ledger %s failed:\n%s%s" % (args, r.stdout, r.stderr))
            db = os.path.join(tmp, "ledger.db")
            x, orig, fork = make_fork(db)
            total = NBLOCKS + 1
            print("fork: account %s height %d, original %s, fork %s; genesis weight on %s"
                  % (x.hex()[:16], FORK_HEIGHT, orig.hex()[:16], fork.hash.hex()[:16], rep))
            liar = stack.enter_context(ForkingPeer(db, x, fork, liar_port))

            c.start()
            c.wait_ready(timeout=60)
            # First the genesis chain alone: its sends move the genesis's
            # weight to B's key. C's elections learn its own keys' weights
            # every 5 s (procs/elections/node.c REPS_EVERY), so until then
            # the dev genesis key would still confirm on C alone.
            wait_for("the fresh node's genesis key loses its weight",
                     lambda: "voting with 0 representatives" in c.read_log(), 40, [c], step=0.1)
            print("genesis chain synced: %r" % (counts(c),))
            liar.only = None
            t0 = time.time()
            wait_for("the fresh node stores the fork", lambda: known(c, fork.hash), 40, [c],
                     step=0.1)
            before = counts(c)
            print("fork stored after %.1f s; (blocks, cemented, unchecked) %r"
                  % (time.time() - t0, before))
            if known(c, orig):
                fail("the fresh node holds both the original and the fork")
            if c.rpc("block_info", hash=fork.hash.hex().upper()).get("confirmed") != "false":
                fail("the fresh node confirmed the fork on its own")

            os.makedirs(b.data, exist_ok=True)
            shutil.copy(db, os.path.join(b.data, "ledger.db"))
            b.start()
            b.wait_ready(timeout=60)
            # its RPC may answer a moment after every child reports running
            wait_for("the honest source holds %d blocks, all cemented" % total,
                     lambda: counts(b)[:2] == (total, total), 30, [b], step=0.2)
            t1 = time.time()
            shown = [t1]

            def done():
                if time.time() - shown[0] >= 5:
                    shown[0] = time.time()
                    print("  %.0f s: (blocks, cemented, unchecked) %r"
                          % (time.time() - t1, counts(c)), flush=True)
                return counts(c)[:2] == (total, total) and known(c, orig)

            wait_for("the fresh node ends on the confirmed chain", done, 50, [c, b], step=0.2)
            cnt, cem, unchecked = counts(c)
            print("synced and cemented %.1f s after the honest peer came" % (time.time() - t1))
            if counts(b)[:2] != (cnt, cem):
                fail("the source ends at %r, the fresh node at %r" % (counts(b), (cnt, cem)))
            if known(c, fork.hash):
                fail("the fork is still in the fresh node's ledger")
            if unchecked:
                fail("%d blocks left in unchecked" % unchecked)
            if "fork settled" not in c.read_log():
                fail("the fresh node's ledger never rolled the fork back:\n" + c.read_log()[-4000:])
            info = c.rpc("block_info", hash=orig.hex().upper())
            if info.get("confirmed") != "true":
                fail("the original block is not confirmed: %r" % info)
            print("the forking peer answered %d pulls, served the fork %d times"
                  % (liar.pulls, liar.forks_served))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print("ok")


if __name__ == "__main__":
    main()
