"""The wallet's and the node's local actions on a real dev node (issue 13):

1. work_get / work_set / wallet_work_get: the cache starts at zero, keeps
   what work_set stored (across an rpc restart: it is in wallets.db), and a
   wallet send from that account uses the cached work instead of searching
   (the block carries exactly the nonce we computed here, from a start no
   search of the node's would pick); bad work, an account outside the
   wallet and an unknown wallet get Nano's errors.
2. wallet_add_watch / wallet_export: a wallet with a seed, a derived
   account, an ad-hoc key and a watch-only account exports exactly those
   secrets (the seed as Nano's entry 5, each private key under its public
   key, zero for the watch-only one); the watch-only account is listed but
   nothing is signed for it, and auto-receive receives a send to the
   derived account while it leaves the one to the watch-only account
   receivable; a locked wallet refuses both.
3. stats_clear: elections' confirmed counter, as `stats` shows it, starts
   again from zero (and stat_duration_seconds with it), then counts the
   next confirmation; the gauges are not touched.
4. unchecked_clear: a block waiting for an unknown previous block sits in
   the ledger's unchecked table until unchecked_clear drops it (the answer
   counts it, block_count and unchecked_get agree); populate_backlog gets
   elections' answer. Options neither takes are refused.
"""
import json
import hashlib
import os
import random
import signal
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from test_node_util import DevNode, check, run  # noqa: E402

CONFIG = ""
DEV_SEND_THRESHOLD = 0xfe00000000000000
ZERO_WORK = "0" * 16


def work_value(root_hex, nonce):
    h = hashlib.blake2b(nonce.to_bytes(8, "little") + bytes.fromhex(root_hex), digest_size=8)
    return int.from_bytes(h.digest(), "little")


def find_work(root_hex, threshold):
    nonce = random.getrandbits(64)
    while work_value(root_hex, nonce) < threshold:
        nonce = (nonce + 1) % (1 << 64)
    return nonce


def rpc_restart(n):
    pid = [p for p in n.status() if p["name"] == "rpc"][0]["pid"]
    os.kill(pid, signal.SIGKILL)
    n.wait_ready(exclude_pids={pid})
    n.wait_for(lambda: n.call("version")[0] == 200, "rpc back", timeout=20)


def work_cache(n, demo, genesis):
    dest = n.ok("account_create", wallet=demo)["account"]
    check(n.ok("work_get", wallet=demo, account=genesis)["work"] == ZERO_WORK,
          "nothing cached at first")
    works = n.ok("wallet_work_get", wallet=demo)["works"]
    check(works == {genesis: ZERO_WORK, dest: ZERO_WORK}, "every account, zero: %s" % works)

    frontier = n.ok("account_info", account=genesis)["frontier"]
    nonce = find_work(frontier, DEV_SEND_THRESHOLD)
    work = "%016x" % nonce
    check(n.ok("work_set", wallet=demo, account=genesis, work=work) == {"success": ""},
          "work_set answers success")
    rpc_restart(n)
    check(n.ok("work_get", wallet=demo, account=genesis)["work"] == work,
          "work_get gives what work_set stored, after an rpc restart")
    check(n.ok("wallet_work_get", wallet=demo)["works"][genesis] == work, "wallet_work_get too")

    sent = n.ok("send", wallet=demo, source=genesis, destination=dest, amount="1000")["block"]
    blk = n.ok("block_info", hash=sent, json_block=True)["contents"]
    check(blk["work"] == work, "the send used the cached work: %s vs %s" % (blk["work"], work))
    # the next block's root is the send: the cached value no longer fits, the pool searches.
    # At the dev threshold one nonce in 128 also fits the new root by chance; the
    # wallet may then use it, rightly (it checks the value against the root).
    sent2 = n.ok("send", wallet=demo, source=genesis, destination=dest, amount="1000")["block"]
    blk2 = n.ok("block_info", hash=sent2, json_block=True)["contents"]
    check(work_value(sent, int(blk2["work"], 16)) >= DEV_SEND_THRESHOLD,
          "the second send's work fits its root: %s" % blk2["work"])
    stale_fits = work_value(sent, nonce) >= DEV_SEND_THRESHOLD
    check(stale_fits or blk2["work"] != work,
          "a stale cached value is not used: %s" % blk2["work"])

    check(n.err("work_set", wallet=demo, account=genesis, work="xyz") == "Bad work", "bad work")
    other = n.ok("key_create")["account"]
    check(n.err("work_get", wallet=demo, account=other) == "Account not found in wallet",
          "account outside the wallet")
    check(n.err("work_set", wallet=demo, account=other, work=work) ==
          "Account not found in wallet", "work_set outside the wallet")
    check(n.err("wallet_work_get", wallet="0" * 64) == "Wallet not found", "unknown wallet")
    check(n.err("work_get", wallet=demo, account="smn_bad") == "Bad account number",
          "bad account")
    print("work cache: ok (%s)" % work)


def export_watch(n, demo, genesis):
    seed = "%064X" % random.getrandbits(256)
    w = n.ok("wallet_create", seed=seed)["wallet"]
    derived = n.ok("account_create", wallet=w)["account"]
    adhoc_key = n.ok("key_create")
    n.ok("wallet_add", wallet=w, key=adhoc_key["private"])
    watch = n.ok("key_create")
    check(n.ok("wallet_add_watch", wallet=w, accounts=[watch["account"]]) == {"success": ""},
          "wallet_add_watch answers success")
    accounts = n.ok("account_list", wallet=w)["accounts"]
    check(accounts == [derived, adhoc_key["account"], watch["account"]],
          "the watch-only account is listed: %s" % accounts)

    exported = json.loads(n.ok("wallet_export", wallet=w)["json"])
    entry5 = "0" * 62 + "05"
    check(exported.get(entry5) == seed, "the seed is entry 5")
    check(exported.get(adhoc_key["public"]) == adhoc_key["private"], "the ad-hoc key")
    check(exported.get(watch["public"]) == "0" * 64, "the watch-only account has no key")
    derived_pub = n.ok("account_key", account=derived)["key"]
    check(n.ok("key_expand", key=exported[derived_pub])["account"] == derived,
          "the derived account's private key")
    check(len(exported) == 4, "seed and three accounts, nothing else: %s" % sorted(exported))

    # nothing is signed for the watch-only account
    err = n.err("send", wallet=w, source=watch["account"], destination=genesis, amount="1")
    check("watch-only" in err, "send from a watch-only account: %s" % err)
    # auto-receive: the derived account's send is received, the watch-only one's is not
    s_watch = n.ok("send", wallet=demo, source=genesis, destination=watch["account"],
                   amount="7")["block"]
    s_derived = n.ok("send", wallet=demo, source=genesis, destination=derived,
                     amount="9")["block"]
    n.wait_confirmed([s_watch, s_derived])
    n.wait_for(lambda: n.call("account_balance", account=derived)[1].get("balance") == "9",
               "auto-receive of the derived account's send", timeout=20)
    check(n.call("account_info", account=watch["account"])[1].get("error") == "Account not found",
          "the watch-only account was not opened")
    rec = n.ok("receivable", account=watch["account"])["blocks"]
    check(rec == [s_watch], "its send is still receivable: %s" % rec)
    bal = n.ok("wallet_balances", wallet=w)["balances"]
    check(bal[watch["account"]]["receivable"] == "7", "wallet_balances shows it: %s" % bal)

    # errors
    check(n.err("wallet_add_watch", wallet=w, accounts=["smn_bad"]) ==
          "Bad account number in accounts",
          "bad address")
    check(n.err("wallet_add_watch", wallet=w) == "Missing field: accounts", "no accounts")
    check(n.err("wallet_export", wallet="0" * 64) == "Wallet not found", "unknown wallet")
    n.ok("wallet_lock", wallet=w)
    check(n.err("wallet_export", wallet=w) == "Wallet is locked", "export needs the key")
    other = n.ok("key_create")["account"]
    check(n.err("wallet_add_watch", wallet=w, accounts=[other]) == "Wallet is locked",
          "add_watch needs it unlocked (as Nano)")
    n.ok("password_enter", wallet=w, password="")
    check(other not in n.ok("account_list", wallet=w)["accounts"], "nothing added while locked")
    print("export and watch-only: ok")


def stat(n, type_, detail):
    r = n.ok("stats", type="counters")
    for e in r["entries"]:
        if e["type"] == type_ and e["detail"] == detail:
            return int(e["value"]), int(r["stat_duration_seconds"])
    return None, int(r["stat_duration_seconds"])


def stats_clear(n, demo, genesis):
    outside = n.ok("key_create")["account"]  # no wallet holds it: no receive follows
    before = n.wait_for(lambda: stat(n, "election", "confirmed")[0] is not None,
                        "elections' counters in stats")
    c0, _ = stat(n, "election", "confirmed")
    h = n.ok("send", wallet=demo, source=genesis, destination=outside, amount="5")["block"]
    n.wait_confirmed([h])
    n.wait_for(lambda: stat(n, "election", "confirmed")[0] == c0 + 1, "the confirmation counted")
    _, dur0 = stat(n, "election", "confirmed")
    check(n.ok("stats_clear") == {"success": ""}, "stats_clear answers success")
    c1, dur1 = stat(n, "election", "confirmed")
    check(c1 == 0, "confirmed counts from zero after stats_clear: %s" % c1)
    check(dur1 <= dur0, "stat_duration_seconds starts again: %d then %d" % (dur0, dur1))
    h2 = n.ok("send", wallet=demo, source=genesis, destination=outside, amount="5")["block"]
    n.wait_confirmed([h2])
    n.wait_for(lambda: stat(n, "election", "confirmed")[0] == 1, "the next confirmation counted")
    check(n.err("stats_clear", type="counters").startswith("Unsupported field: type"),
          "stats_clear takes no options")
    print("stats_clear: ok (%s)" % before)


def unchecked_backlog(n):
    k = n.ok("key_create")
    prev = "%064X" % random.getrandbits(256)
    work = "%016x" % find_work(prev, DEV_SEND_THRESHOLD)
    blk = n.ok("block_create", type="state", key=k["private"], previous=prev,
               representative=k["account"], balance="1", link="0" * 64, work=work,
               json_block=True)
    st, r = n.call("process", block=blk["block"], json_block=True)
    check("error" in r and "ap" in r["error"], "a gap block: %s" % r)
    n.wait_for(lambda: n.ok("block_count")["unchecked"] == "1", "the block in unchecked")
    check(n.ok("unchecked_get", hash=blk["hash"])["key"] == prev, "it waits for its previous")
    check(n.ok("unchecked_clear") == {"success": "", "removed": "1"}, "unchecked_clear drops it")
    check(n.ok("block_count")["unchecked"] == "0", "nothing unchecked")
    check(n.err("unchecked_get", hash=blk["hash"]) == "Unchecked block not found", "it is gone")
    check(n.ok("unchecked_clear") == {"success": "", "removed": "0"}, "again: nothing to drop")
    check(n.ok("populate_backlog") == {"success": ""}, "populate_backlog")
    check(n.err("unchecked_clear", hash=blk["hash"]).startswith("Unsupported field: hash"),
          "unchecked_clear takes no options")
    check(n.err("populate_backlog", count="1").startswith("Unsupported field: count"),
          "populate_backlog takes no options")
    print("unchecked_clear and populate_backlog: ok")


def main():
    with DevNode(sys.argv[1], config=CONFIG) as n:
        demo, genesis = n.demo()
        stats_clear(n, demo, genesis)
        work_cache(n, demo, genesis)
        export_watch(n, demo, genesis)
        unchecked_backlog(n)
        n.check_log()


if __name__ == "__main__":
    run(main)
