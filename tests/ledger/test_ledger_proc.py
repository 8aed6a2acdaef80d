"""The ledger process over its socket, in a real node (smallnanod + six children).

1. notifications: subscribe; a gap block is held as unchecked and announced
   (origin "unchecked") once its send lands; a fork is reported; confirm
   cements send and open in order with consecutive seqs; bad requests get
   clear errors.
2. crash: a few hundred dev blocks are streamed to ledger.sock while the
   ledger child is SIGKILLed mid-stream; after the supervisor restarts it,
   every block acknowledged "accepted" is in ledger.db, re-submitting them
   answers "old", the rest can still be submitted, and pruning (configured)
   removes cemented history after a confirmation.
3. refusal: another network's or a newer schema's ledger.db stops the node
   with a clear log line and a non-zero status.
5. batch: process_batch answers one result per block, in order (a gap,
   the accepted send it waits for, a duplicate, a broken signature; the
   gap is released), and refuses empty or malformed batches.
4. settle: the ledger holds send A and the open built on it; confirm with
   block B (a fork of A) rolls both back (rolled_back notifications, newest
   first, before B's block_accepted and block_cemented), B is cemented, the
   supply is exact; settling A back is refused (B is cemented).

usage: test_ledger_proc.py SMALLNANOD DEVBLOCKS [NBLOCKS]
"""
import os
import signal
import socket
import sqlite3
import struct
import subprocess
import sys
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "integration"))
from nodeutil import Client, IpcError, Node, call, fail, ledger_db, mp_pack, mp_unpack  # noqa: E402

CONFIG = """
[supervisor]
max_restarts = 20
max_restart_window_s = 60
restart_backoff_ms = 20
restart_backoff_max_ms = 200
heartbeat_interval_ms = 200
heartbeat_timeout_ms = 10000
"""


def free_ports():
    """[rpc] and [net] on loopback ports nobody uses now: tests of other
    modules may run nodes at the same time on the default ports."""
    socks = [socket.socket() for _ in range(2)]
    for s in socks:
        s.bind(("127.0.0.1", 0))
    ports = [s.getsockname()[1] for s in socks]
    for s in socks:
        s.close()
    return "\n[rpc]\nport = %d\n[net]\nport = %d\n" % tuple(ports)


def devblocks(tool, *args):
    out = subprocess.run([tool] + list(args), check=True, capture_output=True, text=True).stdout
    blocks = []
    for line in out.splitlines():
        b, h = line.split()
        blocks.append((bytes.fromhex(b), bytes.fromhex(h)))
    return blocks


def check(cond, msg):
    if not cond:
        fail(msg)


class Conn(Client):
    """A Client that also collects notifications (frames without "re")."""

    def __init__(self, path, timeout=10.0):
        super().__init__(path, timeout)
        self.notes = []

    def frame(self):
        (n,) = struct.unpack(">I", self._read(4))
        msg, _ = mp_unpack(self._read(n))
        return msg

    def request(self, kind, **fields):
        self.next_id += 1
        msg = {"kind": kind, "id": self.next_id}
        msg.update(fields)
        payload = mp_pack(msg)
        self.sock.sendall(struct.pack(">I", len(payload)) + payload)
        while True:
            m = self.frame()
            if m.get("re") == self.next_id:
                if m.get("kind") == "error":
                    raise IpcError(m.get("message"))
                return m
            if "re" not in m:
                self.notes.append(m)

    def wait_note(self, pred, timeout=10.0):
        deadline = time.time() + timeout
        while True:
            for i, m in enumerate(self.notes):
                if pred(m):
                    return self.notes.pop(i)
            if time.time() > deadline:
                fail("no matching notification in %.0f s; got %r" % (timeout, self.notes))
            self.sock.settimeout(max(0.05, deadline - time.time()))
            try:
                m = self.frame()
            except socket.timeout:
                continue
            if "re" not in m:
                self.notes.append(m)


def process(c, block, origin="rpc"):
    r = c.request("process", block=block, origin=origin)
    check(r["kind"] == "process_result", "unexpected reply %r" % r)
    return r


def expect_error(c, kind, fragment, **fields):
    try:
        r = c.request(kind, **fields)
    except IpcError as e:
        check(fragment in str(e), "error %r does not mention %r" % (str(e), fragment))
        return
    fail("%s %r was accepted: %r" % (kind, fields, r))


def test_notifications(smallnanod, tool):
    (send, send_h), (open_, open_h) = devblocks(tool, "pairs", "2")
    (fork, fork_h), = devblocks(tool, "fork")
    genesis_account = send[:32]
    with Node(smallnanod, CONFIG + free_ports()) as node:
        node.wait_ready()
        sub = Conn(node.sock("ledger"))
        check(sub.request("subscribe")["kind"] == "subscribed", "subscribe not acknowledged")
        c = Conn(node.sock("ledger"))

        r = process(c, open_, "net")
        check(r["result"] == "gap_source" and r["hash"] == open_h, "open before its send: %r" % r)
        r = process(c, send, "rpc")
        check(r["result"] == "accepted" and r["hash"] == send_h, "send: %r" % r)
        a1 = sub.wait_note(lambda m: m["kind"] == "block_accepted" and m["hash"] == send_h)
        check(a1["subtype"] == "send" and a1["height"] == 2 and a1["origin"] == "rpc" and
              a1["block"] == send, "block_accepted of the send: %r" % a1)
        a2 = sub.wait_note(lambda m: m["kind"] == "block_accepted" and m["hash"] == open_h)
        check(a2["subtype"] == "open" and a2["height"] == 1 and a2["origin"] == "unchecked" and
              a2["amount"] == a1["amount"], "block_accepted of the released open: %r" % a2)
        check(process(c, send)["result"] == "old", "re-submitted send is not 'old'")

        r = process(c, fork, "bootstrap")
        check(r["result"] == "fork" and r["hash"] == fork_h, "competing send: %r" % r)
        f = sub.wait_note(lambda m: m["kind"] == "fork")
        check(f["hash"] == fork_h and f["block"] == fork and f["root"] == send[32:64],
              "fork notification: %r" % f)

        r = c.request("confirm", hash=open_h)
        # elections may have cemented them first; the notifications are the same.
        check(r["kind"] == "confirm_result" and r["cemented"] in (0, 1, 2), "confirm: %r" % r)
        c1 = sub.wait_note(lambda m: m["kind"] == "block_cemented" and m["hash"] == send_h)
        c2 = sub.wait_note(lambda m: m["kind"] == "block_cemented" and m["hash"] == open_h)
        amount = int.from_bytes(c1["amount"], "big")
        check(c1["subtype"] == "send" and c1["height"] == 2 and c1["account"] == genesis_account and
              int.from_bytes(c1["prev_balance"], "big") - amount ==
              int.from_bytes(c1["balance"], "big") and c1["source_account"] == bytes(32),
              "block_cemented of the send: %r" % c1)
        check(c2["subtype"] == "open" and c2["height"] == 1 and c2["seq"] == c1["seq"] + 1 and
              c2["source_account"] == genesis_account and c2["prev_balance"] == bytes(16) and
              int.from_bytes(c2["balance"], "big") == amount and c2["link"] == send_h,
              "block_cemented of the open: %r" % c2)
        check(c1["seq"] >= 2, "genesis holds seq 1, got %r" % c1["seq"])
        check(c.request("confirm", hash=open_h)["cemented"] == 0, "second confirm cemented again")

        expect_error(c, "confirm", "unknown block", hash=b"\x07" * 32)
        expect_error(c, "process", "origin", block=send, origin="bogus")
        expect_error(c, "process", "block", block=send[:215], origin="rpc")
        expect_error(c, "process", "origin", block=send)

        # Another subscriber sees later events too; a closed one is forgotten.
        sub.close()
        sub2 = Conn(node.sock("ledger"))
        sub2.request("subscribe")
        check(process(c, fork)["result"] == "fork", "fork again")
        sub2.wait_note(lambda m: m["kind"] == "fork" and m["hash"] == fork_h)
        sub2.close()
        c.close()

        db = ledger_db(os.path.join(node.data, "ledger.db"))
        errors = [l for l in node.read_log().splitlines() if l.startswith("error ledger:")]
        check(not errors, "the ledger logged errors: %r" % errors[:5])
        seqs = [row[0] for row in db.execute("SELECT seq FROM cement_log ORDER BY seq")]
        db.close()
        check(seqs == list(range(1, len(seqs) + 1)) and len(seqs) >= 3,
              "cement_log seqs not 1..n: %r" % seqs)
    print("notifications: ok")


def test_batch(smallnanod, tool):
    pairs = devblocks(tool, "pairs", "4")
    (send1, send1_h), (open1, open1_h), (send2, send2_h), (open2, open2_h) = pairs[:4]
    bad = bytearray(send2)
    bad[150] ^= 0xFF  # inside the signature
    with Node(smallnanod, CONFIG + free_ports()) as node:
        node.wait_ready()
        sub = Conn(node.sock("ledger"))
        sub.request("subscribe")
        c = Conn(node.sock("ledger"))
        r = c.request("process_batch", blocks=[open1, send1, send1, bytes(bad)],
                      origin="bootstrap")
        check(r["kind"] == "process_batch_result" and
              r["results"] == ["gap_source", "accepted", "old", "bad_signature"],
              "process_batch: %r" % r)
        a = sub.wait_note(lambda m: m["kind"] == "block_accepted" and m["hash"] == open1_h)
        # released in the same drain as its own submission: either origin
        check(a["origin"] in ("unchecked", "bootstrap") and a["height"] == 1,
              "the released open: %r" % a)
        r = c.request("process_batch", blocks=[send2, open2], origin="bootstrap")
        check(r["results"] == ["accepted", "accepted"], "second batch: %r" % r)
        expect_error(c, "process_batch", "blocks", blocks=[], origin="bootstrap")
        expect_error(c, "process_batch", "216", blocks=[send2[:215]], origin="bootstrap")
        expect_error(c, "process_batch", "origin", blocks=[send2], origin="unchecked")
        c.close()
        sub.close()
    print("batch: ok")


def test_confirm_burst(smallnanod, tool):
    """Many confirms in one write (as elections sends them): they share
    transactions (ledger service batches), and each still gets its own
    answer: an open cements its send and itself, a repeat in the same burst
    nothing, an unknown hash an error; every block is announced cemented
    exactly once, each send before its open."""
    pairs = devblocks(tool, "pairs", "40")
    opens = [pairs[i] for i in range(1, len(pairs), 2)]
    with Node(smallnanod, CONFIG + free_ports() + NO_QUORUM) as node:
        node.wait_ready()
        sub = Conn(node.sock("ledger"))
        sub.request("subscribe", topics=["block_cemented"])
        c = Conn(node.sock("ledger"))
        r = c.request("process_batch", blocks=[b for b, _ in pairs], origin="bootstrap")
        check(r["results"] == ["accepted"] * len(pairs), "burst blocks: %r" % r)
        hashes = [h for _, h in opens]
        hashes.insert(7, hashes[3])  # a repeat, after the first was cemented
        hashes.insert(12, b"\x07" * 32)  # unknown
        out = []
        first = c.next_id + 1
        for h in hashes:
            c.next_id += 1
            p = mp_pack({"kind": "confirm", "id": c.next_id, "hash": h})
            out.append(struct.pack(">I", len(p)) + p)
        c.sock.sendall(b"".join(out))
        replies = {}
        while len(replies) < len(hashes):
            m = c.frame()
            if "re" in m:
                replies[m["re"] - first] = m
        for i, h in enumerate(hashes):
            m = replies[i]
            if i == 12:
                check(m["kind"] == "error" and "unknown block" in m["message"],
                      "unknown hash in a burst: %r" % m)
            elif i == 7:
                check(m["kind"] == "confirm_result" and m["cemented"] == 0,
                      "repeat in a burst: %r" % m)
            else:
                check(m["kind"] == "confirm_result" and m["cemented"] == 2,
                      "confirm %d of the burst: %r" % (i, m))
        order = []
        while len(order) < len(pairs):
            order.append(sub.wait_note(lambda m: m["kind"] == "block_cemented")["hash"])
        check(sorted(order) == sorted(h for _, h in pairs), "cemented set differs")
        for k in range(0, len(pairs), 2):
            check(order.index(pairs[k][1]) < order.index(pairs[k + 1][1]),
                  "an open announced before its send")
        c.close()
        sub.close()
    print("confirm burst: ok")


class Streamer(threading.Thread):
    """Sends process requests on one connection while reading the replies."""

    def __init__(self, path, blocks):
        super().__init__(daemon=True)
        self.c = Conn(path, timeout=30.0)
        self.blocks = blocks
        self.results = {}  # hash -> result
        self.sent = 0
        self.done = threading.Event()
        self.writer = threading.Thread(target=self.write, daemon=True)

    def write(self):
        try:
            for i, (b, _) in enumerate(self.blocks):
                payload = mp_pack({"kind": "process", "id": i + 1, "block": b, "origin": "net"})
                self.c.sock.sendall(struct.pack(">I", len(payload)) + payload)
                self.sent = i + 1
        except OSError:
            pass

    def run(self):
        self.writer.start()
        try:
            while len(self.results) < len(self.blocks):
                m = self.c.frame()
                if m.get("kind") == "process_result":
                    self.results[m["hash"]] = m["result"]
        except (OSError, IpcError):
            pass
        self.done.set()


def ledger_hashes(db_path):
    """Hashes of the blocks in the ledger: stored, or cemented and pruned
    since (elections may cement them, and this node prunes)."""
    db = ledger_db(db_path)
    try:
        sql = "SELECT hash FROM blocks UNION SELECT hash FROM pruned_blocks"
        return {row[0] for row in db.execute(sql)}
    finally:
        db.close()


def resubmit(path, blocks):
    c = Conn(path)
    try:
        return {h: process(c, b)["result"] for b, h in blocks}
    finally:
        c.close()


def test_crash(smallnanod, tool, n):
    blocks = devblocks(tool, "pairs", str(n))
    config = CONFIG + free_ports() + "\n[ledger]\nmax_blocks_per_account = 2\n"
    with Node(smallnanod, config) as node:
        procs = node.wait_ready()
        old_pid = procs["ledger"]["pid"]
        st = Streamer(node.sock("ledger"), blocks)
        st.start()
        deadline = time.time() + 30
        while len(st.results) < n // 4 and time.time() < deadline and not st.done.is_set():
            time.sleep(0.001)
        check(len(st.results) >= n // 4, "only %d results before the kill" % len(st.results))
        os.kill(old_pid, signal.SIGKILL)
        killed_at = len(st.results)
        st.done.wait(30)
        st.c.close()
        acked = {h for h, r in st.results.items() if r == "accepted"}
        check(len(st.results) < n, "the kill came after the whole stream; use more blocks")
        check(len(acked) >= n // 4, "only %d acknowledged" % len(acked))
        print("crash: %d results (%d at the kill), %d accepted, %d of %d sent" %
              (len(st.results), killed_at, len(acked), st.sent, n))

        procs = node.wait_ready(exclude_pids={old_pid})
        check(procs["ledger"]["pid"] != old_pid, "ledger not restarted")

        db_path = os.path.join(node.data, "ledger.db")
        stored = ledger_hashes(db_path)
        missing = acked - stored
        check(not missing, "%d acknowledged blocks lost, e.g. %s" %
              (len(missing), next(iter(missing)).hex() if missing else ""))

        by_hash = {h: b for b, h in blocks}
        again = resubmit(node.sock("ledger"), [(by_hash[h], h) for h in sorted(acked)])
        bad = {h.hex(): r for h, r in again.items() if r != "old"}
        check(not bad, "re-submitted acknowledged blocks not 'old': %r" % list(bad.items())[:3])

        # Everything else can still be submitted (in order): none is lost or half-there.
        rest = [(b, h) for b, h in blocks if h not in acked]
        results = resubmit(node.sock("ledger"), rest)
        bad = {h.hex(): r for h, r in results.items() if r not in ("accepted", "old")}
        check(not bad, "blocks after the restart: %r" % list(bad.items())[:3])

        count = len(ledger_hashes(db_path))
        check(count == n + 1, "%d blocks in the ledger, want %d" % (count, n + 1))

        # Pruning after cementing: keep the last 2 blocks of the genesis chain.
        c = Conn(node.sock("ledger"))
        c.request("confirm", hash=blocks[-1][1])
        c.close()
        deadline = time.time() + 10
        pruned = 0
        while time.time() < deadline:
            db = ledger_db(db_path)
            pruned = db.execute("SELECT COUNT(*) FROM pruned_blocks").fetchone()[0]
            db.close()
            if pruned >= n // 2 - 2:
                break
            time.sleep(0.1)
        check(pruned >= n // 2 - 2, "pruned %d blocks, want >= %d" % (pruned, n // 2 - 2))
        check(resubmit(node.sock("ledger"), blocks[:1])[blocks[0][1]] == "old",
              "a pruned block re-submitted is not 'old'")
        errors = [l for l in node.read_log().splitlines() if l.startswith("error ledger:")]
        check(not errors, "the ledger logged errors: %r" % errors[:5])
        print("crash: ok (%d blocks pruned)" % pruned)


def test_refusal(smallnanod):
    """Another network's or a newer schema's ledger.db: the ledger logs why
    and exits non-zero each time, and the restart limit stops the node."""
    config = "[supervisor]\nmax_restarts = 2\nrestart_backoff_ms = 10\n"
    cases = [("UPDATE meta SET value = 99 WHERE key = 'schema_version'", "newer than this build"),
             ("UPDATE meta SET value = 'test' WHERE key = 'network'", "belongs to network 'test'")]
    for sql, why in cases:
        with Node(smallnanod, config + free_ports()) as node:
            node.wait_ready()
            call(node.sock("control"), "node_stop")
            check(node.wait_exit(30) == 0, "node did not stop cleanly")
            db = sqlite3.connect(os.path.join(node.data, "ledger.db"))
            db.execute(sql)
            db.commit()
            db.close()
            node.start()
            rc = node.wait_exit(60)
            log = node.read_log()
            check(rc not in (None, 0), "node ran on a refused ledger.db (status %r)" % rc)
            lines = [l for l in log.splitlines() if l.startswith("error ledger: cannot open")]
            check(lines and why in lines[-1], "no clear refusal in the log:\n" + log[-2000:])
    print("refusal: ok")


# Elections never reach quorum: the floor is ten times the dev supply, so
# only this test's confirm requests cement anything.
NO_QUORUM = "\n[elections]\nonline_weight_minimum = 100000000000000000000000000000000000000\n"


def supply(db_path):
    """Balances + receivables, from ledger.db."""
    db = ledger_db(db_path)
    try:
        rows = db.execute("SELECT balance FROM accounts UNION ALL SELECT amount FROM receivables")
        return sum(int.from_bytes(r[0], "big") for r in rows)
    finally:
        db.close()


def test_settle(smallnanod, tool):
    (a, a_h), (a_open, a_open_h) = devblocks(tool, "pairs", "2")
    (b, b_h), = devblocks(tool, "fork")
    genesis_account = a[:32]
    with Node(smallnanod, CONFIG + free_ports() + NO_QUORUM) as node:
        node.wait_ready()
        db_path = os.path.join(node.data, "ledger.db")
        total = supply(db_path)
        sub = Conn(node.sock("ledger"))
        sub.request("subscribe")
        c = Conn(node.sock("ledger"))
        check(process(c, a)["result"] == "accepted", "send A not accepted")
        check(process(c, a_open)["result"] == "accepted", "open of A not accepted")
        check(process(c, b)["result"] == "fork", "B is not a fork of A")

        # Without the block (today's confirm) or with the wrong one: errors, nothing changes.
        expect_error(c, "confirm", "unknown block", hash=b_h)
        expect_error(c, "confirm", "does not hash", hash=b_h, block=a)
        expect_error(c, "confirm", "216", hash=b_h, block=b[:200])
        # A block on a root nobody holds: nothing to settle.
        stray, stray_h = devblocks(tool, "pairs", "4")[2]  # the next send after A
        expect_error(c, "confirm", "no stored block on its root", hash=stray_h, block=stray)

        db = ledger_db(db_path)
        conf = db.execute("SELECT conf_height FROM accounts WHERE account = ?",
                          (genesis_account,)).fetchone()[0]
        db.close()
        check(conf == 1, "A was cemented before the test confirmed B (elections quorum?)")
        r = c.request("confirm", hash=b_h, block=b)
        check(r["kind"] == "confirm_result" and r["cemented"] == 1 and r.get("rolled_back") == 2,
              "confirm with the winner: %r" % r)
        sub.wait_note(lambda m: m["kind"] == "block_cemented" and m["hash"] == b_h)
        # Everything up to B's block_cemented, in the order it came.
        seen = [(m["kind"], m["hash"]) for m in sub.notes] + [("block_cemented", b_h)]
        order = [x for x in seen if x[0] in ("rolled_back", "block_accepted", "block_cemented") and
                 x[1] in (a_h, a_open_h, b_h)]
        want = [("rolled_back", a_open_h), ("rolled_back", a_h), ("block_accepted", b_h),
                ("block_cemented", b_h)]
        check(order[-4:] == want, "notifications out of order: %r" % order)
        rb = [m for m in sub.notes if m["kind"] == "rolled_back"]
        check(len(rb) == 2 and rb[0]["account"] == a_open[:32] and rb[0]["height"] == 1 and
              rb[1]["account"] == genesis_account and rb[1]["height"] == 2,
              "rolled_back notifications: %r" % rb)
        acc = [m for m in sub.notes if m["kind"] == "block_accepted" and m["hash"] == b_h]
        check(acc and acc[-1]["origin"] == "net", "block_accepted of the winner: %r" % acc)

        db = ledger_db(db_path)
        hashes = {row[0] for row in db.execute("SELECT hash FROM blocks")}
        accounts = {row[0] for row in db.execute("SELECT account FROM accounts")}
        conf = db.execute("SELECT conf_height FROM accounts WHERE account = ?",
                          (genesis_account,)).fetchone()[0]
        recv = {row[0] for row in db.execute("SELECT send_hash FROM receivables")}
        count = db.execute("SELECT value FROM meta WHERE key = 'count_blocks'").fetchone()[0]
        db.close()
        check(b_h in hashes and a_h not in hashes and a_open_h not in hashes,
              "blocks after the settlement: %r" % hashes)
        check(a_open[:32] not in accounts and conf == 2 and recv == {b_h} and count == 2,
              "ledger after the settlement: accounts %d, conf %d, receivables %d, count %r" %
              (len(accounts), conf, len(recv), count))
        check(supply(db_path) == total, "supply changed: %d != %d" % (supply(db_path), total))

        # The loser is a fork of cemented history now: it cannot come back.
        check(process(c, a)["result"] == "fork", "A after the settlement is not a fork")
        expect_error(c, "confirm", "cemented", hash=a_h, block=a)
        check(c.request("confirm", hash=b_h, block=b)["cemented"] == 0, "B cemented twice")
        c.close()
        sub.close()
        errors = [l for l in node.read_log().splitlines() if l.startswith("error ledger:")]
        check(not errors, "the ledger logged errors: %r" % errors[:5])
        check(any("fork settled" in l for l in node.read_log().splitlines()),
              "no 'fork settled' log line")
    print("settle: ok")


def main():
    if len(sys.argv) < 3:
        print(__doc__, file=sys.stderr)
        sys.exit(2)
    smallnanod, tool = sys.argv[1], sys.argv[2]
    n = int(sys.argv[3]) if len(sys.argv) > 3 else 600
    test_notifications(smallnanod, tool)
    test_batch(smallnanod, tool)
    test_confirm_burst(smallnanod, tool)
    test_settle(smallnanod, tool)
    test_crash(smallnanod, tool, n)
    test_refusal(smallnanod)


if __name__ == "__main__":
    main()
