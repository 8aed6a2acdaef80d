"""The RPC's remaining Nano actions on a real dev node, over HTTP:
delegators / delegators_count, unopened and ledger (paged walks, `next`),
receivable_exists, receive_minimum (auto-receive leaves smaller sends
alone; `[rpc] receive_minimum` and receive_minimum_set), account_move,
wallet_change_seed, confirmation_history, and
confirmation_active / confirmation_info (the running elections, asked of
the elections process: with a quorum floor above the supply, a new
block's election stays open).
"""
import json
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from test_node_util import DevNode, check, run  # noqa: E402

SMN = 10 ** 30
CONFIG = """
[rpc]
auto_receive = true
receive_minimum = 1000
"""
NO_QUORUM = """
[elections]
online_weight_minimum = 100000000000000000000000000000000000000
"""


def pages(n, action, key, start_field, **fields):
    """Every entry of a paged walk, one per page, following `next`."""
    got, start, count = {}, None, 0
    while True:
        req = dict(fields, count="1")
        if start:
            req[start_field] = start
        r = n.ok(action, **req)
        check(len(r[key]) <= 1, "%s: one per page: %s" % (action, r))
        got.update(r[key])
        count += 1
        start = r.get("next")
        if not start:
            return got, count
        check(count < 20, "%s pages never end" % action)


def main():
    with DevNode(sys.argv[1], config=CONFIG) as n:
        demo, genesis = n.demo()
        # the configured minimum, then a higher one set at run time
        check(n.ok("receive_minimum") == {"amount": "1000"}, "[rpc] receive_minimum")
        check(n.ok("receive_minimum_set", amount=str(2 * SMN)) == {"success": ""}, "set")
        check(n.ok("receive_minimum")["amount"] == str(2 * SMN), "receive_minimum after set")
        check(n.err("receive_minimum_set", amount="-1") == "Bad amount number", "bad minimum")

        # X: a wallet account opened by auto-receive, naming genesis
        n.ok("wallet_representative_set", wallet=demo, representative=genesis)
        x = n.ok("account_create", wallet=demo)["account"]
        small = n.ok("account_create", wallet=demo)["account"]
        sx = n.ok("send", wallet=demo, source=genesis, destination=x, amount=str(3 * SMN))["block"]
        ss = n.ok("send", wallet=demo, source=genesis, destination=small, amount=str(SMN))["block"]
        # Y and Z: keys no wallet here holds, so they stay unopened
        y = n.ok("key_create")["account"]
        z = n.ok("key_create")["account"]
        sy = n.ok("send", wallet=demo, source=genesis, destination=y, amount=str(2 * SMN))["block"]
        n.ok("send", wallet=demo, source=genesis, destination=z, amount=str(3 * SMN))
        n.ok("send", wallet=demo, source=genesis, destination=z, amount=str(4 * SMN))
        n.wait_for(lambda: n.call("account_info", account=x)[1].get("block_count") == "1",
                   "auto-receive opened X", timeout=20)
        n.wait_confirmed([n.ok("account_info", account=x)["frontier"]], timeout=20)
        time.sleep(1.0)  # auto-receive had its chance at the small send too
        check(n.err("account_info", account=small) == "Account not found",
              "a send below receive_minimum stays receivable")
        check(n.ok("receivable_exists", hash=ss)["exists"] == "1", "small send receivable")
        check(n.ok("receivable_exists", hash=sx)["exists"] == "0", "X's send was received")
        check(n.ok("receivable_exists", hash=sy)["exists"] == "1", "Y's send receivable")

        # delegators of genesis: genesis itself and X
        d = n.ok("delegators", account=genesis)["delegators"]
        check(set(d) == {genesis, x} and d[x] == str(3 * SMN), "delegators: %s" % d)
        got, npages = pages(n, "delegators", "delegators", "start", account=genesis)
        check(got == d and npages >= 2, "delegators paged: %s in %d" % (got, npages))
        d = n.ok("delegators", account=genesis, threshold=str(4 * SMN))["delegators"]
        check(list(d) == [genesis], "delegators above a threshold: %s" % d)
        check(n.ok("delegators_count", account=genesis) == {"count": "2"}, "delegators_count")
        check(n.ok("delegators_count", account=y) == {"count": "0"}, "no delegators")
        check(n.err("delegators", account="smn_x") == "Bad account number", "bad account")
        check(n.err("delegators_count") == "Missing field: account", "missing account")

        # unopened: Y (2), Z (3 + 4) and the small one (1), not X
        u = n.ok("unopened")["accounts"]
        check(u == {y: str(2 * SMN), z: str(7 * SMN), small: str(SMN)}, "unopened: %s" % u)
        got, npages = pages(n, "unopened", "accounts", "account")
        check(got == u and npages == 3, "unopened paged: %s in %d" % (got, npages))
        u = n.ok("unopened", threshold=str(5 * SMN))["accounts"]
        check(u == {z: str(7 * SMN)}, "unopened above a threshold: %s" % u)
        check(n.err("unopened", count="0x") == "Invalid count limit", "bad count")

        # ledger: genesis and X, with their records
        led = n.ok("ledger", representative=True, weight=True, receivable=True)["accounts"]
        check(set(led) == {genesis, x}, "ledger accounts: %s" % list(led))
        ex = led[x]
        check(ex["balance"] == str(3 * SMN) and ex["block_count"] == "1" and
              ex["representative"] == genesis and ex["open_block"] == ex["frontier"] and
              ex["weight"] == "0" and ex["receivable"] == "0", "ledger X: %s" % ex)
        check(int(led[genesis]["weight"]) > 0, "genesis weight")
        got, npages = pages(n, "ledger", "accounts", "account")
        check(set(got) == {genesis, x} and npages == 2, "ledger paged: %d" % npages)
        future = str(int(time.time()) + 3600)
        check(n.ok("ledger", modified_since=future)["accounts"] == {}, "modified_since")
        check(n.err("ledger", sorting=True) ==
              "Unsupported field: sorting (not an option of ledger)", "sorting refused")

        # account_move: X's key into a new wallet, which then spends from it
        w2 = n.ok("wallet_create")["wallet"]
        check(n.err("account_move", wallet=w2, source=w2, accounts=[x]) ==
              "Source and target wallet are the same", "same wallet")
        check(n.err("account_move", wallet=w2, source=demo, accounts=[x, y]) ==
              "Account not found in wallet", "Y is in no wallet")
        check(n.ok("account_move", wallet=w2, source=demo, accounts=[x]) == {"moved": "1"},
              "account_move")
        check(x in n.ok("account_list", wallet=w2)["accounts"], "X in the new wallet")
        check(x not in n.ok("account_list", wallet=demo)["accounts"], "X left the demo wallet")
        check(n.err("send", wallet=demo, source=x, destination=y, amount="1") ==
              "Account not found in wallet", "the old wallet cannot spend X")
        back = n.ok("send", wallet=w2, source=x, destination=genesis, amount="1")["block"]
        n.wait_confirmed([back], timeout=20)

        # wallet_change_seed: a fresh seed's accounts, restored by count
        # and by ledger activity (the seed's index 0 was sent to)
        seed = "33" * 32
        a0 = n.ok("deterministic_key", seed=seed, index="0")["account"]
        s0 = n.ok("send", wallet=demo, source=genesis, destination=a0, amount="7")["block"]
        n.wait_confirmed([s0], timeout=20)
        w3 = n.ok("wallet_create")["wallet"]
        n.ok("account_create", wallet=w3)
        r = n.ok("wallet_change_seed", wallet=w3, seed=seed)
        check(r == {"success": "", "restored_count": "1", "last_restored_account": a0},
              "wallet_change_seed: %s" % r)
        check(n.ok("account_list", wallet=w3)["accounts"] == [a0], "the old seed's account left")
        r = n.ok("wallet_change_seed", wallet=w3, seed=seed, count="2")
        check(r["restored_count"] == "2", "count 2: %s" % r)
        check(n.err("wallet_change_seed", wallet=w3, seed="xy") == "Bad seed", "bad seed")

        # confirmation_history: the latest confirmations, newest first
        hist = n.ok("confirmation_history")
        hashes = [e["hash"] for e in hist["confirmations"]]
        check(back in hashes and s0 in hashes and hashes.index(s0) < hashes.index(back) and
              hist["confirmation_stats"]["count"] == str(len(hashes)),
              "confirmation_history: %s" % hist)
        one = n.ok("confirmation_history", hash=back)
        e = one["confirmations"]
        check(len(e) == 1 and e[0]["hash"] == back and e[0]["blocks"] == "1" and
              int(e[0]["tally"]) > 0 and abs(int(e[0]["time"]) - time.time() * 1000) < 120000 and
              one["confirmation_stats"] == {"count": "1", "average": e[0]["duration"]},
              "confirmation_history of one block: %s" % one)
        check(n.ok("confirmation_history", hash="00" * 32)["confirmations"] == [], "none")
        check(n.err("confirmation_history", hash="x") == "Bad block hash", "bad hash")

        # elections confirm at once here: nothing runs, no such election
        act = n.ok("confirmation_active")
        check(act["unconfirmed"] == "0" and act["confirmations"] == [] and
              act["confirmed"] == "0", "no running election: %s" % act)
        check(n.err("confirmation_info", root="00" * 32) == "Active confirmation not found",
              "unknown root")
        check(n.err("confirmation_info", root="zz") == "Invalid root hash", "bad root")
        check(n.err("confirmation_info") == "Missing field: root", "missing root")
        check(n.err("confirmation_active", announcements="1") ==
              "Unsupported field: announcements (not an option of confirmation_active)",
              "announcements refused")

        n.stop()

    # A quorum floor above the whole supply: no election can confirm, so a
    # new block's election stays open
    with DevNode(sys.argv[1], config=NO_QUORUM) as n:
        demo, genesis = n.demo()
        y = n.ok("key_create")["account"]
        root = n.ok("account_info", account=genesis)["frontier"]
        h = n.ok("send", wallet=demo, source=genesis, destination=y, amount="5")["block"]

        def listed():
            st, r = n.call("confirmation_active")
            return r if st == 200 and root in r.get("confirmations", []) else None
        act = n.wait_for(listed, "the send's election listed", timeout=20)
        check(act["unconfirmed"] == "1" and act["confirmed"] == "0", "counts: %s" % act)
        h2 = n.ok("send", wallet=demo, source=genesis, destination=y, amount="5")["block"]
        n.wait_for(lambda: n.ok("confirmation_active")["unconfirmed"] == "2", "two elections")

        # Our representative's vote is signed up to VOTE_BATCH_MS after its
        # choice (docs/consensus.md); h's election counts it from then. The
        # two sends take a few ms here, so wait for the vote rather than
        # read inside the window (issue 9).
        def voted():
            i = n.ok("confirmation_info", root=root)
            return i if i["voters"] == "1" else None
        n.wait_for(voted, "our representative's vote on h counted")
        one = n.ok("confirmation_active", count="1")
        check(len(one["confirmations"]) == 1 and "next" in one, "count 1: %s" % one)
        rest = n.ok("confirmation_active", after=one["next"])
        check(len(rest["confirmations"]) == 1 and "next" not in rest and
              set(one["confirmations"] + rest["confirmations"]) == {root, h},
              "paged by after: %s %s" % (one, rest))
        info = n.ok("confirmation_info", root=root, json_block=True)
        check(info["last_winner"] == h and list(info["blocks"]) == [h], "info: %s" % info)
        blk = info["blocks"][h]
        check(blk["contents"]["link_as_account"] == y and int(blk["tally"]) > 0 and
              info["state"] == "active" and info["total_tally"] == blk["tally"] and
              info["voters"] == "1", "info block: %s" % info)
        info = n.ok("confirmation_info", root=root)
        check(json.loads(info["blocks"][h]["contents"])["previous"] == root, "contents string")
        check("contents" not in n.ok("confirmation_info", root=root,
                                     contents=False)["blocks"][h], "contents false")
        check(n.ok("block_confirm", hash=h)["status"] == "active", "block_confirm joins it")
        check(not n.confirmed(h) and not n.confirmed(h2), "no quorum, no confirmation")
        n.stop()


if __name__ == "__main__":
    run(main)
