"""Integrity at open (issue 17): a real ledger.db (3,000 dev blocks made by
bench_ledger) with 4 pages overwritten in the middle makes the node refuse
to start, with one error naming the file and the way out, and without
touching the file; both recoveries of docs/operations.md "A corrupted
database" work: restore the backup, or move the file aside (the node starts
with a fresh ledger and re-syncs). A damaged header and a damaged vm.db are
refused the same way.

usage: test_corrupt_ledger.py SMALLNANOD BENCH_LEDGER
"""
import hashlib
import os
import random
import shutil
import sqlite3
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from nodeutil import Node, call, fail  # noqa: E402

NBLOCKS = 3000


def blocks_in(path):
    c = sqlite3.connect("file:%s?mode=ro" % path, uri=True)
    try:
        return c.execute("SELECT count(*) FROM blocks").fetchone()[0]
    finally:
        c.close()


def sha(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def overwrite_middle_pages(path, pages=4):
    with open(path, "r+b") as f:
        head = f.read(100)
        page = int.from_bytes(head[16:18], "big") or 65536
        f.seek(0, os.SEEK_END)
        n = f.tell() // page
        first = n // 2
        f.seek(first * page)
        f.write(random.Random(17).randbytes(pages * page))
    return first, n


def stop(node):
    call(node.sock("control"), "node_stop")
    if node.wait_exit(30) != 0:
        fail("stop: exit %r\n%s" % (node.proc.returncode, node.read_log()))


def expect_refusal(node, db, fragments):
    node.start()
    rc = node.wait_exit(30)
    log = node.read_log()
    if rc is None:
        fail("the node did not stop on a corrupted %s:\n%s" % (db, log))
    if rc != 1:
        fail("exit status %r on a corrupted %s:\n%s" % (rc, db, log))
    path = os.path.join(node.data, db)
    errors = [line for line in log.splitlines() if line.startswith("error ") and
              "%s is corrupted" % path in line]
    if not errors:
        fail("no error naming %s:\n%s" % (path, log))
    for frag in fragments + ["restore it from a backup", "move it aside",
                             'docs/operations.md "A corrupted database"']:
        if frag not in errors[0]:
            fail("the error %r lacks %r" % (errors[0], frag))
    return log, errors[0]


def clear_log(node):
    node.log.close()
    open(node.log_path, "w").close()


def main():
    smallnanod, bench = sys.argv[1], sys.argv[2]
    work = tempfile.mkdtemp(prefix="smn-corrupt-")
    try:
        subprocess.run([bench, "-n", str(NBLOCKS), "-d", work, "-k", "-c",
                        os.path.join(work, "blocks")], check=True, stdout=subprocess.DEVNULL,
                       timeout=120)
        made = os.path.join(work, "ledger.db")
        with Node(smallnanod, "", autostart=False) as node:
            os.mkdir(node.data, 0o700)
            db = os.path.join(node.data, "ledger.db")
            shutil.copy(made, db)
            node.start()
            node.wait_ready(timeout=60)
            stop(node)
            for suffix in ("-wal", "-shm"):
                if os.path.exists(db + suffix):
                    fail("ledger.db%s left after a clean stop" % suffix)
            count = blocks_in(db)  # (a reader may leave an empty -wal: the backup skips it)
            if count != NBLOCKS + 1:
                fail("%d blocks in the ledger, expected %d" % (count, NBLOCKS + 1))
            backup = os.path.join(work, "ledger.db.backup")
            shutil.copy(db, backup)

            # ---- 4 pages overwritten in the middle: refused, file untouched ----
            first, n = overwrite_middle_pages(db)
            before = sha(db)
            clear_log(node)
            log, err = expect_refusal(node, "ledger.db", ["quick_check"])
            if "started net" in log:
                fail("other processes were started after the ledger refused:\n" + log)
            if "the ledger process cannot open its database" not in log:
                fail("the supervisor does not say why it stops:\n" + log)
            if sha(db) != before:
                fail("the node modified the corrupted ledger.db")
            print("ok: pages %d-%d of %d overwritten: refused: %s" % (first, first + 3, n, err))

            # ---- recovery 1: restore the backup (with the node stopped) ----
            shutil.copy(backup, db)
            for suffix in ("-wal", "-shm"):
                if os.path.exists(db + suffix):
                    os.unlink(db + suffix)
            clear_log(node)
            node.start()
            node.wait_ready(timeout=60)
            stop(node)
            if blocks_in(db) != NBLOCKS + 1:
                fail("after the restore: %d blocks" % blocks_in(db))
            print("ok: restored from the backup: %d blocks" % (NBLOCKS + 1))

            # ---- recovery 2: move it aside; a fresh ledger, re-synced from peers ----
            overwrite_middle_pages(db)
            for suffix in ("", "-wal", "-shm"):
                if os.path.exists(db + suffix):
                    os.rename(db + suffix, db + suffix + ".corrupt")
            clear_log(node)
            node.start()
            node.wait_ready(timeout=60)
            stop(node)
            if blocks_in(db) != 1:
                fail("after moving it aside: %d blocks, expected the genesis only" % blocks_in(db))
            print("ok: moved aside: the node starts with a fresh ledger (genesis)")

            # ---- a damaged header names the file, not a PRAGMA ----
            with open(db, "r+b") as f:
                f.write(b"\xde\xad" * 50)
            clear_log(node)
            log, err = expect_refusal(node, "ledger.db", ["its header is damaged"])
            if "PRAGMA" in err:
                fail("the header error quotes a PRAGMA: " + err)
            print("ok: damaged header: " + err)

            # ---- vm.db likewise (the vm process stops the node) ----
            shutil.copy(backup, db)
            clear_log(node)
            node.start()
            node.wait_ready(timeout=60)
            stop(node)
            vm = os.path.join(node.data, "vm.db")
            overwrite_middle_pages(vm, pages=1)
            with open(vm, "r+b") as f:
                f.write(b"\x00" * 100)
            clear_log(node)
            log, err = expect_refusal(node, "vm.db", [])
            if "the vm process cannot open its database" not in log:
                fail("the supervisor does not stop for the vm:\n" + log)
            print("ok: damaged vm.db: " + err)
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
