"""Big queries are bounded (issue 10, docs/rpc.md "Big queries are
bounded"): on a node whose ledger holds 21,001 accounts and a genesis chain
of 21,001 blocks (bench_ledger -n 42000 -a 21000 -C: every account opened by
a send from genesis, all cemented), several clients fire the heaviest form
of each big query at once while another asks block_count in a loop. Checks:

(a) every answer respects its documented cap: count at most 10,000, the
    `ledger` walk stops after 20,000 accounts looked at, `account_history`
    after 20,000 blocks, `chain`/`successors` refuse more than 10,000, and
    over-cap requests are refused;
(b) no child restarted (the same pids before and after, and no heartbeat
    miss in the log);
(c) block_count was answered while the heavy queries were in flight;
(d) a shutdown while a sliced answer is half done exits cleanly;
(e) each sliced answer (account_history both ways, chain, successors,
    accounts_frontiers / accounts_representatives at 10,000 entries) is
    identical to the same walk done in pages small enough to take one
    slice each.

Removing a cap (RPC_LEDGER_SCAN_MAX or HISTORY_SCAN_MAX, say) makes (a)
fail: the filtered walks then answer without `next` / `previous`.

With SMN_RPC_BOUNDED_TIMES=1 a serial pass first prints what each query
costs (no assertion on it; docs/benchmarks.md "Heaviest RPC queries"). With SMN_RELEASE_BUILD set
(.ci/run sets it) the node and bench_ledger come from that release build:
the caps bound rows, and how long a row takes is the release build's
figure; the sanitizers make each row several times slower, which on a
loaded machine can hold the loop past the 5 s heartbeat.

usage: test_rpc_bounded.py SMALLNANOD BENCH_LEDGER
"""
import os
import random
import shutil
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import benchledger  # noqa: E402
from devnet_blocks import address  # noqa: E402
from test_node_util import DevNode, check, run  # noqa: E402

BLOCKS, ACCOUNTS = 42000, 21000
MAX = 10000  # RPC_MAX_COUNT
CLIENTS = 2  # and the block_count client: three at once
TOP = str(2 ** 128 - 1)
ZERO = address(bytes(32))


def build_ledger(bench, work):
    # the signed blocks are cached in bench_ledger's default file under /tmp
    # (built once, about 10 MB): only processing and cementing run each time
    return benchledger.build(bench, work, ["-n", str(BLOCKS), "-a", str(ACCOUNTS), "-C"])


def pids(n):
    return {p["name"]: p["pid"] for p in n.status()}


def size(x):
    return len(x) if isinstance(x, (list, dict)) else 0


def heavy_queries(n, genesis, demo):
    """[(name, request, check(answer) -> error text or None)]."""
    info = n.ok("account_info", account=genesis)
    frontier, open_block = info["frontier"], info["open_block"]
    page = n.ok("ledger", count=str(MAX))["accounts"]
    some = sorted(page)[:MAX]
    reps = n.ok("representatives", count=str(MAX))["representatives"]
    rep = max(reps, key=lambda a: int(reps[a]) if a != genesis else -1)
    hist = n.ok("account_history", account=genesis, count=str(MAX))["history"]
    hashes = [h["hash"] for h in hist]

    def at_most(key, cap=MAX):
        return lambda r: None if size(r.get(key)) <= cap else "%d %s > %d" % (
            size(r.get(key)), key, cap)

    def exactly(key, want, cont=None):
        def f(r):
            if size(r.get(key)) != want:
                return "%d %s, want %d" % (size(r.get(key)), key, want)
            if cont and cont not in r:
                return "no %r to continue from" % cont
            return None
        return f

    def error(text):
        return lambda r: None if r.get("error", "").startswith(text) else "want error %r" % text

    return [
        ("ledger", dict(action="ledger", count=MAX, representative=True, weight=True,
                        receivable=True), exactly("accounts", MAX, "next")),
        # nothing matches: the walk stops at its scan bound (20,000 < 21,001)
        ("ledger filtered", dict(action="ledger", count=MAX, threshold=TOP, receivable=True),
         exactly("accounts", 0, "next")),
        ("frontiers", dict(action="frontiers", account=ZERO, count=MAX),
         exactly("frontiers", MAX)),
        ("account_history", dict(action="account_history", account=genesis, count="-1"),
         exactly("history", MAX, "previous")),
        # nothing matches: the walk stops after 20,000 blocks (< 21,001)
        ("account_history filtered", dict(action="account_history", account=genesis, count="-1",
                                          account_filter=[ZERO]),
         exactly("history", 0, "previous")),
        ("account_history reverse", dict(action="account_history", account=genesis, count="-1",
                                         reverse=True, raw=True),
         exactly("history", MAX, "next")),
        ("chain", dict(action="chain", block=frontier, count=MAX), exactly("blocks", MAX)),
        ("successors", dict(action="successors", block=open_block, count=MAX),
         exactly("blocks", MAX)),
        ("chain all", dict(action="chain", block=frontier, count="-1"),
         error("Chain longer than 10000 blocks")),
        ("successors all", dict(action="successors", block=open_block, count="-1"),
         error("Chain longer than 10000 blocks")),
        ("delegators", dict(action="delegators", account=rep, count=MAX),
         at_most("delegators")),
        ("delegators_count", dict(action="delegators_count", account=rep),
         lambda r: None if int(r.get("count", -1)) >= 0 else "no count"),
        ("representatives", dict(action="representatives", count=MAX, sorting=True),
         at_most("representatives")),
        ("unopened", dict(action="unopened", count=MAX), at_most("accounts")),
        ("accounts_balances", dict(action="accounts_balances", accounts=some),
         exactly("balances", MAX)),
        ("accounts_frontiers", dict(action="accounts_frontiers", accounts=some),
         exactly("frontiers", MAX)),
        ("accounts_representatives", dict(action="accounts_representatives", accounts=some),
         exactly("representatives", MAX)),
        ("accounts_receivable", dict(action="accounts_receivable", accounts=[genesis] * MAX,
                                     count=MAX, source=True), at_most("blocks")),
        ("blocks_info", dict(action="blocks_info", hashes=hashes, json_block=True),
         exactly("blocks", MAX)),
        ("unchecked", dict(action="unchecked", count=MAX), at_most("blocks")),
        ("wallet_history", dict(action="wallet_history", wallet=demo), at_most("history")),
        ("wallet_ledger", dict(action="wallet_ledger", wallet=demo), at_most("accounts")),
        ("wallet_receivable", dict(action="wallet_receivable", wallet=demo, count=MAX),
         at_most("blocks")),
        # over the caps: refused, not served
        ("ledger over cap", dict(action="ledger", count=MAX + 1), error("Invalid count limit")),
        ("frontiers over cap", dict(action="frontiers", account=ZERO, count=10 ** 9),
         error("Invalid count limit")),
        ("accounts_balances over cap", dict(action="accounts_balances", accounts=some + [ZERO]),
         error("Too many accounts")),
        ("blocks_info over cap", dict(action="blocks_info", hashes=hashes + [hashes[0]]),
         error("Too many hashes")),
    ]


PAGE = 200  # under a slice (256): each page is answered in one go


def history_pages(n, genesis, reverse, want):
    """account_history of want entries walked PAGE at a time from head."""
    key = "next" if reverse else "previous"
    out, head = [], None
    while len(out) < want:
        args = dict(account=genesis, count=str(min(PAGE, want - len(out))), raw=True,
                    reverse=reverse)
        if head:
            args["head"] = head
        r = n.ok("account_history", **args)
        check(r["history"], "an empty history page after %d entries" % len(out))
        out += r["history"]
        head = r.get(key)
        if not head:
            break
    return out


def chain_pages(n, action, block, want):
    """chain / successors of want blocks, each page starting at the last
    block of the one before."""
    out = n.ok(action, block=block, count=str(PAGE))["blocks"]
    while len(out) < want:
        more = n.ok(action, block=out[-1], count=str(min(PAGE + 1, want - len(out) + 1)))
        check(len(more["blocks"]) > 1, "chain pages stopped after %d blocks" % len(out))
        out += more["blocks"][1:]
    return out


def check_slices_match_pages(n, genesis, frontier, open_block, accounts):
    """(e): the sliced answers equal the walks in one-slice pages."""
    for reverse in (False, True):
        big = n.ok("account_history", account=genesis, count="-1", raw=True, reverse=reverse)
        check(len(big["history"]) == MAX, "history of %d entries" % len(big["history"]))
        paged = history_pages(n, genesis, reverse, MAX)
        check(big["history"] == paged, "account_history reverse=%s differs from its pages "
              "(first difference at %d)" % (reverse, next(
                  (i for i, (a, b) in enumerate(zip(big["history"], paged)) if a != b),
                  min(len(paged), MAX))))
    for action, block in (("chain", frontier), ("successors", open_block)):
        big = n.ok(action, block=block, count=str(MAX))["blocks"]
        check(len(big) == MAX, "%s of %d blocks" % (action, len(big)))
        check(big == chain_pages(n, action, block, MAX), "%s differs from its pages" % action)
        # offset skips across slices as it does within one
        off = n.ok(action, block=block, count=str(PAGE), offset=str(MAX - PAGE))["blocks"]
        check(off == big[MAX - PAGE:], "%s with offset differs" % action)
    for action, key in (("accounts_frontiers", "frontiers"),
                        ("accounts_representatives", "representatives")):
        # MAX entries, one of them unopened (an entry of "errors")
        listed = accounts[:MAX - 1] + [ZERO]
        big = n.ok(action, accounts=listed)
        paged, errors = {}, {}
        for i in range(0, len(listed), PAGE):
            r = n.ok(action, accounts=listed[i:i + PAGE])
            paged.update(r[key])
            errors.update(r.get("errors", {}))
        check(len(big[key]) + len(big.get("errors", {})) == MAX and big[key] == paged,
              "%s: %d entries, differs from its pages" % (action, len(big[key])))
        check(big.get("errors", {}) == errors, "%s errors differ" % action)


def serial_pass(n, queries):
    """Each query alone, timed (printed), checked."""
    bad = []
    for name, req, verdict in queries:
        req = dict(req)
        action = req.pop("action")
        t = time.time()
        status, r = n.call(action, timeout=60, **req)
        print("  %-28s %6.3f s" % (name, time.time() - t))
        why = verdict(r) if status == 200 else "HTTP %d %r" % (status, r)
        if why:
            bad.append("%s: %s" % (name, why))
    return bad


def main():
    smallnanod, bench = benchledger.binaries(sys.argv[1], sys.argv[2])
    print("node %s" % smallnanod)
    work = tempfile.mkdtemp(prefix="smn-bounded-")
    n = DevNode(smallnanod)
    try:
        t0 = time.time()
        db = build_ledger(bench, work)
        print("ledger of %d blocks over %d accounts built in %.1f s"
              % (BLOCKS, ACCOUNTS, time.time() - t0))
        os.makedirs(n.data)
        shutil.move(db, os.path.join(n.data, "ledger.db"))
        n.start_ready()
        before = pids(n)
        demo, genesis = n.demo()
        count = n.ok("block_count")
        check(int(count["count"]) == BLOCKS + 1, "block_count %r" % count)
        queries = heavy_queries(n, genesis, demo)
        info = n.ok("account_info", account=genesis)
        check_slices_match_pages(n, genesis, info["frontier"], info["open_block"],
                                 sorted(n.ok("ledger", count=str(MAX))["accounts"]))
        if os.environ.get("SMN_RPC_BOUNDED_TIMES"):
            print("one at a time:")
            bad = serial_pass(n, queries)
            check(not bad, "caps not respected:\n" + "\n".join(bad))

        failures, lock = [], threading.Lock()
        heavy_running = threading.Event()
        heavy_done = threading.Event()
        cheap = {"during": 0, "errors": [], "slowest": 0.0}

        def client(k):
            order = list(queries)
            random.Random(k).shuffle(order)
            for name, req, verdict in order:
                req = dict(req)
                action = req.pop("action")
                try:
                    heavy_running.set()
                    status, r = n.call(action, timeout=60, **req)
                    bad = verdict(r) if status == 200 else "HTTP %d %r" % (status, r)
                except Exception as e:  # noqa: BLE001 - reported below
                    bad = repr(e)
                if bad:
                    with lock:
                        failures.append("client %d %s: %s" % (k, name, bad))

        def cheap_client():
            heavy_running.wait(60)
            while not heavy_done.is_set():
                try:
                    t = time.time()
                    r = n.ok("block_count")
                    if not heavy_done.is_set() and int(r["count"]) == BLOCKS + 1:
                        cheap["during"] += 1
                        # printed, not asserted: how long the loop was held
                        cheap["slowest"] = max(cheap["slowest"], time.time() - t)
                except Exception as e:  # noqa: BLE001 - reported below
                    cheap["errors"].append(repr(e))
                    return

        threads = [threading.Thread(target=client, args=(k,)) for k in range(CLIENTS)]
        watcher = threading.Thread(target=cheap_client)
        watcher.start()
        t0 = time.time()
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        heavy_done.set()
        watcher.join()
        print("%d clients x %d heavy queries answered in %.1f s; %d block_count meanwhile, "
              "the slowest in %.3f s" % (CLIENTS, len(queries), time.time() - t0,
                                         cheap["during"], cheap["slowest"]))

        check(not failures, "caps not respected:\n%s\n%s" % ("\n".join(failures[:20]),
                                                             n.read_log()[-6000:]))
        check(not cheap["errors"], "block_count failed meanwhile: %s" % cheap["errors"])
        check(cheap["during"] > 0, "block_count never answered while the heavy queries ran")
        now = pids(n)
        check(now == before, "a child restarted: %r -> %r\n%s" % (before, now,
                                                                 n.read_log()[-4000:]))
        check("did not answer a heartbeat" not in n.read_log(),
              "a heartbeat was missed:\n" + n.read_log()[-4000:])
        # a shutdown while a sliced answer is half done: clean exit, no
        # sanitizer report (n.stop checks both)
        def late_ledger():
            try:
                n.call("ledger", timeout=60, count=MAX, weight=True, receivable=True)
            except OSError:
                pass  # the connection closes with the process

        late = threading.Thread(target=late_ledger)
        late.start()
        time.sleep(0.2)
        n.stop()
        late.join()
    finally:
        n.cleanup()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    run(main)
