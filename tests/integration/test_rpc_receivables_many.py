"""Receivable queries on an account with 20,000 receivables read a bounded
number of rows (issue 10, docs/rpc.md "Big queries are bounded", docs/ledger.md
"Schema 5"). bench_ledger -L -a 1 builds a ledger whose genesis sent 1 raw
20,000 times to one account (all cemented); the genesis then sends it three
larger amounts over RPC. Checks, against what the test knows was sent:

(a) account_balance (confirmed and not) and accounts_balances: 20,000 raw
    + the three amounts (account_info's `receivable` reads the same sum,
    but the account is unopened);
(b) receivable count=1 sorting=true is the largest send; count=3 the three
    in order; threshold=the middle amount answers exactly the two at or
    above it; count=5 with source ends in two 1-raw sends; unopened from
    the account names it with the whole sum;
(c) each of those queries read few rows: rpc's ledger_read_steps_total
    metric (SQLite VM steps of its ledger reads, which count rows scanned
    and not returned too) grows by at most STEP_BOUND per query. Reading
    every receivable of the account, as before schema 5, takes more than
    ten times that (each of 20,000 rows costs several VM steps), so the
    test fails if a query still scans them.

The metric reaches /metrics with rpc's next heartbeat: the test waits until
it has settled before and after each batch of queries.

usage: test_rpc_receivables_many.py SMALLNANOD BENCH_LEDGER
"""
import os
import re
import shutil
import sys
import tempfile
import time
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import benchledger  # noqa: E402
from test_node_util import DevNode, check, run  # noqa: E402

DUST = 20000  # 1-raw receivables of one account
SMN = 10 ** 30
BIG = [3 * SMN, 2 * SMN, SMN + 5]  # the larger sends, largest first
REPEAT = 5  # each query runs this many times per measured batch
STEP_BOUND = 3000  # VM steps one bounded query may take (measured: under 300)
CONFIG = """
[rpc]
enable_control = true
auto_receive = false
[supervisor]
heartbeat_interval_ms = 200
"""


def build_ledger(bench, work):
    # one chain: the genesis sends DUST times 1 raw to bench account 0
    return benchledger.build(bench, work, ["-L", "-a", "1", "-n", str(DUST), "-C"])


def read_steps(n):
    with urllib.request.urlopen("http://127.0.0.1:%d/metrics" % n.rpc_port, timeout=10) as r:
        text = r.read().decode()
    m = re.search(r"^smallnano_rpc_ledger_read_steps_total(?:\{[^}]*\})? ([0-9.e+]+)$", text,
                  re.M)
    check(m is not None, "no smallnano_rpc_ledger_read_steps_total in /metrics")
    return int(float(m.group(1)))


def settled_steps(n):
    """The counter once two reads a few heartbeats apart agree."""
    t0, last = time.time(), read_steps(n)
    while True:
        time.sleep(0.8)
        now = read_steps(n)
        if now == last:
            return now
        check(time.time() - t0 < 30, "ledger_read_steps_total never settled")
        last = now


def measured(n, name, query, verdict):
    """Runs query REPEAT times, checks each answer, bounds the steps taken."""
    before = settled_steps(n)
    for _ in range(REPEAT):
        req = dict(query)
        why = verdict(n.ok(req.pop("action"), **req))
        check(not why, "%s: %s" % (name, why))
    steps = settled_steps(n) - before
    print("  %-34s %7d VM steps per query" % (name, steps // REPEAT))
    check(steps <= STEP_BOUND * REPEAT,
          "%s read too much: %d VM steps for %d queries (bound %d each)"
          % (name, steps, REPEAT, STEP_BOUND))
    return steps


def main():
    smallnanod, bench = benchledger.binaries(sys.argv[1], sys.argv[2])
    work = tempfile.mkdtemp(prefix="smn-recv-many-")
    n = DevNode(smallnanod, config=CONFIG)
    try:
        t0 = time.time()
        db = build_ledger(bench, work)
        print("ledger of %d dust sends built in %.1f s" % (DUST, time.time() - t0))
        os.makedirs(n.data)
        shutil.move(db, os.path.join(n.data, "ledger.db"))
        n.start_ready()
        demo, genesis = n.demo()
        last = n.ok("account_history", account=genesis, count="1")["history"][0]
        dest = last["account"]
        check(last["amount"] == "1", "the bench ledger's last send: %r" % last)
        sends = [n.ok("send", wallet=demo, source=genesis, destination=dest,
                      amount=str(a))["block"] for a in BIG]
        n.wait_confirmed(sends, timeout=30)
        total = str(DUST + sum(BIG))

        def exactly(want):
            return lambda r: None if r == want else "got %r, want %r" % (r, want)

        balance = {"balance": "0", "pending": total, "receivable": total}
        queries = [
            ("account_balance", dict(action="account_balance", account=dest),
             exactly(balance)),
            ("account_balance unconfirmed", dict(action="account_balance", account=dest,
                                                 include_only_confirmed="false"),
             exactly(balance)),
            ("accounts_balances", dict(action="accounts_balances", accounts=[dest]),
             exactly({"balances": {dest: balance}})),
            ("receivable count=1 sorting", dict(action="receivable", account=dest, count="1",
                                                sorting="true"),
             exactly({"blocks": [sends[0]]})),
            ("receivable count=3", dict(action="receivable", account=dest, count="3"),
             exactly({"blocks": sends})),
            ("receivable threshold", dict(action="receivable", account=dest, count="100",
                                          threshold=str(BIG[1])),
             exactly({"blocks": {sends[0]: str(BIG[0]), sends[1]: str(BIG[1])}})),
            ("receivable unconfirmed threshold", dict(action="receivable", account=dest,
                                                      count="100", threshold=str(BIG[2]),
                                                      include_only_confirmed="false"),
             exactly({"blocks": {s: str(a) for s, a in zip(sends, BIG)}})),
            ("accounts_receivable threshold", dict(action="accounts_receivable",
                                                   accounts=[dest], count="100",
                                                   threshold=str(BIG[0])),
             exactly({"blocks": {dest: {sends[0]: str(BIG[0])}}})),
            # the walk over destinations: one receivable_totals row each
            ("unopened from it", dict(action="unopened", account=dest, count="1"),
             lambda r: None if r.get("accounts", {}).get(dest) == total
             else "unopened %r" % r),
        ]

        def five(r):
            b = r.get("blocks", {})
            amounts = sorted((int(v["amount"]) for v in b.values()), reverse=True)
            if amounts != BIG + [1, 1]:
                return "count=5 source amounts %r" % amounts
            if any(v["source"] != genesis for v in b.values()):
                return "sources %r" % b
            return None

        queries.append(("receivable count=5 source", dict(action="receivable", account=dest,
                                                          count="5", source="true"), five))
        for name, query, verdict in queries:
            measured(n, name, query, verdict)
        n.stop()
    finally:
        n.cleanup()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    run(main)
