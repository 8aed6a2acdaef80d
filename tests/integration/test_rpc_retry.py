"""Auto-receive retries a receive that failed for a transient reason
(real node on loopback, no restart of anything).

The failure is real: the test holds ledger.db's write lock (sqlite3,
BEGIN IMMEDIATE) when the receive reaches the ledger, so the ledger's batch
fails after its 5 s busy timeout and it answers `ledger_error` (or rpc's
wait for the answer times out first: "unavailable", transient too). To have the
receive arrive while the lock is held, whatever the timing, the single work
thread is kept busy with an endless work_generate queued ahead of the
receive's work, and cancelled (work_cancel) once the lock is taken.
After the test releases the lock, the receive must land, without a new
send and without restarting rpc or the ledger.
"""
import os
import sqlite3
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from test_node_util import DevNode, check, run  # noqa: E402

CONFIG = """
[rpc]
work_threads = 1
work_max_difficulty = fffffffffffffff0
[supervisor]
heartbeat_interval_ms = 500
heartbeat_timeout_ms = 30000
"""
E1 = "E1" * 32
E2 = "E2" * 32


def main():
    with DevNode(sys.argv[1], config=CONFIG) as n:
        procs0 = {p["name"]: p for p in n.status()}
        demo, genesis = n.demo()
        dest = n.ok("account_create", wallet=demo)["account"]
        answers = {}

        def call(key, action, **fields):
            answers[key] = n.call(action, timeout=60.0, **fields)

        def bg(key, action, **fields):
            t = threading.Thread(target=call, args=(key, action), kwargs=fields, daemon=True)
            t.start()
            return t

        # the work thread: E1 runs, then the send's work, then E2, then the receive's
        t1 = bg("e1", "work_generate", hash=E1, difficulty="fffffffffffffff0")
        time.sleep(0.3)
        ts = bg("send", "send", wallet=demo, source=genesis, destination=dest, amount="5000")
        time.sleep(0.3)
        t2 = bg("e2", "work_generate", hash=E2, difficulty="fffffffffffffff0")
        time.sleep(0.3)
        n.ok("work_cancel", hash=E1)
        ts.join(20)
        t1.join(5)
        st, r = answers.get("send", (None, None))
        check(st == 200 and "block" in r, "the send was accepted: %s" % (answers,))
        check(n.ok("account_balance", account=dest,
                   include_only_confirmed=False)["receivable"] == "5000",
              "the send is receivable, not received yet")

        db = sqlite3.connect(os.path.join(n.data, "ledger.db"), isolation_level=None, timeout=10)
        db.execute("BEGIN IMMEDIATE")  # the ledger's next write fails after 5 s
        try:
            n.ok("work_cancel", hash=E2)  # now the receive's work runs, and it goes to the ledger
            t2.join(5)
            # the ledger answers ledger_error after its busy timeout; on a
            # loaded machine rpc's own wait for that answer can end first
            # ("unavailable"): both are transient, both must be retried
            n.wait_for(lambda: any("auto-receive: a receive failed (Ledger %s)" % why in n.read_log()
                                   for why in ("storage error", "process unavailable")),
                       "the receive to fail with ledger_error or unavailable", timeout=15)
            check(n.ok("account_balance", account=dest)["balance"] == "0",
                  "nothing received while the ledger cannot write")
        finally:
            db.execute("ROLLBACK")
            db.close()
        t0 = time.time()
        n.wait_for(lambda: n.ok("account_balance", account=dest)["balance"] == "5000",
                   "the retried receive", timeout=40)
        print("received %.1f s after the ledger could write again" % (time.time() - t0))
        procs = {p["name"]: p for p in n.status()}
        for name in ("rpc", "ledger"):
            check(procs[name]["restarts"] == 0 and procs[name]["pid"] == procs0[name]["pid"],
                  "%s never restarted: %s" % (name, procs[name]))
        n.stop()


run(main)
