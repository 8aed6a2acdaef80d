"""Every RPC action issue 5 lists, against real dev nodes, each at least once
with a success and with its error cases: bad account, bad hash, bad amount,
insufficient balance, unknown action, malformed JSON, and control actions
refused when [rpc] enable_control = false.

Node A serves the test. Node B (a second dev node, same genesis) signs a
send that A has never seen, so `process` on A is tested with a real, new
block; B is then restarted with enable_control = false.

usage: test_node_actions.py SMALLNANOD
"""
import json
import sys

from test_node_util import DevNode, check, run

SMN = 10 ** 30
BAD_ACCOUNT = "smn_1111111111111111111111111111111111111111111111111111hifc8npq"
UNKNOWN_HASH = "00" * 32
ZERO_ACCOUNT = "smn_1111111111111111111111111111111111111111111111111111hifc8npp"
GENESIS_KEY = "F9C9E3974A7AAFCC6B85584351865C7EF5D56088827C1974A90733368D771922"

# Every action of issue 5 (receivable per wallet: wallet_receivable and
# receivable with "wallet"); the test fails if one is never called.
ISSUE_ACTIONS = """account_info account_balance account_history account_representative
account_weight accounts_balances block_info blocks_info block_count chain frontiers
receivable process work_generate work_validate key_create key_expand representatives
confirmation_quorum version uptime telemetry wallet_create account_create account_list
send receive wallet_receivable account_representative_set""".split()


class Calls:
    """Records which actions were called with a success and with an error."""

    def __init__(self, node):
        self.n = node
        self.ok_seen = set()
        self.err_seen = set()

    def ok(self, action, **f):
        r = self.n.ok(action, **f)
        self.ok_seen.add(action)
        return r

    def err(self, action, expect, **f):
        e = self.n.err(action, **f)
        check(expect in e, "%s %s: expected error containing %r, got %r" % (action, f, expect, e))
        self.err_seen.add(action)
        return e


def signed_send_from(b, destination):
    """A send from genesis signed on node B; its JSON contents."""
    demo, genesis = b.demo()
    h = b.ok("send", wallet=demo, source=genesis, destination=destination,
             amount=str(3 * SMN))["block"]
    return h, b.ok("block_info", hash=h, json_block=True)["contents"]


def main():
    smallnanod = sys.argv[1]
    with DevNode(smallnanod, config="[rpc]\nauto_receive = false\n") as a, \
            DevNode(smallnanod, config="[rpc]\nauto_receive = false\n") as b:
        c = Calls(a)
        demo, genesis = a.demo()

        # ---- node and utilities
        v = c.ok("version")
        check(v["network"] == "dev", "version: %s" % v)
        check(int(c.ok("uptime")["seconds"]) >= 0, "uptime")
        bc = c.ok("block_count")
        check(bc["count"] == "1" and bc["cemented"] == "1", "block_count of a new node: %s" % bc)
        t = c.ok("telemetry")
        check(t["network"] == "dev" and t["block_count"] == "1", "telemetry: %s" % t)
        reps = c.ok("representatives")["representatives"]
        check(reps == {genesis: str(10_000_000 * SMN)}, "representatives: %s" % reps)
        q = c.ok("confirmation_quorum")
        check(q["online_weight_quorum_percent"] == "67", "confirmation_quorum: %s" % q)
        key = c.ok("key_create")
        check(key["account"].startswith("smn_") and len(key["private"]) == 64, "key_create")
        kx = c.ok("key_expand", key=GENESIS_KEY)
        check(kx["account"] == genesis, "the dev genesis key expands to the genesis account")
        c.err("key_expand", "Bad private key", key="xyz")
        w = c.ok("work_generate", hash=UNKNOWN_HASH.replace("00", "AB"))
        wv = c.ok("work_validate", hash=w["hash"], work=w["work"])
        check(wv["valid_all"] == "1", "work_validate of generated work: %s" % wv)
        c.err("work_validate", "Bad work", hash=w["hash"], work="zz")
        c.err("work_validate", "Bad block hash", hash="12", work=w["work"])
        c.err("work_generate", "Bad block hash", hash="not a hash")

        # ---- process: a send signed on node B (same genesis), new to node A
        dest = a.ok("key_create")["account"]
        bhash, contents = signed_send_from(b, dest)
        got = c.ok("process", block=contents)["hash"]
        check(got == bhash, "process answers the block's hash")
        a.wait_confirmed([bhash])
        c.err("process", "Old block", block=contents)
        forged = dict(contents, balance=str(int(contents["balance"]) - 1))
        c.err("process", "Bad signature", block=forged)
        c.err("process", "Block is invalid", block={"type": "state"})
        check(a.ok("account_balance", account=dest)["receivable"] == str(3 * SMN),
              "processed send is receivable on A")

        # ---- wallet
        wallet = c.ok("wallet_create")["wallet"]
        acc = c.ok("account_create", wallet=wallet)["account"]
        acc2 = c.ok("account_create", wallet=wallet)["account"]
        check(c.ok("account_list", wallet=wallet)["accounts"] == [acc, acc2], "account_list")
        c.err("account_create", "Bad wallet number", wallet="12")
        c.err("account_create", "Wallet not found", wallet="AB" * 32)
        c.err("account_list", "Wallet not found", wallet="AB" * 32)
        c.err("wallet_create", "Bad seed", seed="nope")

        send = c.ok("send", wallet=demo, source=genesis, destination=acc,
                    amount=str(10 * SMN))["block"]
        c.err("send", "Bad amount number", wallet=demo, source=genesis, destination=acc,
              amount="-5")
        c.err("send", "Bad amount number", wallet=demo, source=genesis, destination=acc,
              amount="1.5")
        c.err("send", "Bad destination account", wallet=demo, source=genesis,
              destination=BAD_ACCOUNT, amount="1")
        c.err("send", "Insufficient balance", wallet=demo, source=genesis, destination=acc,
              amount=str(10_000_001 * SMN))
        c.err("send", "Account not found", wallet=wallet, source=acc2, destination=acc,
              amount="1")
        a.wait_confirmed([send])

        wr = c.ok("wallet_receivable", wallet=wallet)["blocks"]
        check(wr == {acc: [send]}, "wallet_receivable: %s" % wr)
        rw = a.ok("receivable", wallet=wallet)["blocks"]
        check(rw == wr, "receivable with wallet = wallet_receivable: %s" % rw)
        c.err("wallet_receivable", "Wallet not found", wallet="CD" * 32)
        c.err("wallet_receivable", "Bad wallet number", wallet="zz")

        recv = c.ok("receive", wallet=wallet, account=acc, block=send)["block"]
        c.err("receive", "Block is not receivable", wallet=wallet, account=acc, block=send)
        c.err("receive", "Bad block hash", wallet=wallet, account=acc, block="XYZ")
        c.err("receive", "Block not found", wallet=wallet, account=acc, block=UNKNOWN_HASH)
        c.err("receive", "Bad account number", wallet=wallet, account=BAD_ACCOUNT, block=send)
        a.wait_confirmed([recv])

        change = c.ok("account_representative_set", wallet=wallet, account=acc,
                      representative=genesis)["block"]
        c.err("account_representative_set", "Bad representative number", wallet=wallet,
              account=acc, representative=BAD_ACCOUNT)
        c.err("account_representative_set", "Account not found in wallet", wallet=wallet,
              account=genesis, representative=genesis)
        a.wait_confirmed([change])

        # ---- accounts
        info = c.ok("account_info", account=acc, representative=True, weight=True,
                    receivable=True)
        check(info["balance"] == str(10 * SMN) and info["block_count"] == "2"
              and info["representative"] == genesis and info["confirmation_height"] == "2",
              "account_info: %s" % info)
        c.err("account_info", "Bad account number", account=BAD_ACCOUNT)
        c.err("account_info", "Account not found", account=acc2)
        bal = c.ok("account_balance", account=acc)
        check(bal["balance"] == str(10 * SMN) and bal["receivable"] == "0", "balance %s" % bal)
        c.err("account_balance", "Bad account number", account="smn_xyz")
        hist = c.ok("account_history", account=acc, count=10)["history"]
        check([h["hash"] for h in hist] == [change, recv], "history: %s" % hist)
        c.err("account_history", "Bad account number", account=BAD_ACCOUNT)
        c.err("account_history", "Block not found", account=acc, head=UNKNOWN_HASH)
        c.err("account_history", "Invalid count limit", account=acc, count="-2")
        # Nano's count "-1": everything (up to the list bound)
        check([h["hash"] for h in c.ok("account_history", account=acc, count="-1")["history"]]
              == [change, recv], "history count -1")
        check(c.ok("account_representative", account=acc)["representative"] == genesis,
              "account_representative")
        c.err("account_representative", "Account not found", account=acc2)
        c.err("account_representative", "Bad account number", account=BAD_ACCOUNT)
        wgt = c.ok("account_weight", account=genesis)["weight"]
        # everything but the 3 smn still receivable by `dest` (acc delegates to genesis)
        check(wgt == str(9_999_997 * SMN), "account_weight of genesis: %s" % wgt)
        c.err("account_weight", "Bad account number", account=BAD_ACCOUNT)
        ab = c.ok("accounts_balances", accounts=[acc, genesis, BAD_ACCOUNT])
        check(ab["balances"][acc]["balance"] == str(10 * SMN)
              and ab["errors"] == {BAD_ACCOUNT: "Bad account number"},
              "accounts_balances: %s" % ab)
        c.err("accounts_balances", "Bad accounts", accounts="notalist")
        fr = c.ok("frontiers", account=ZERO_ACCOUNT, count=100)["frontiers"]
        check(fr.get(acc) == change and genesis in fr, "frontiers: %s" % fr)
        c.err("frontiers", "Bad account number", account=BAD_ACCOUNT)
        check(c.ok("receivable", account=acc)["blocks"] == [], "nothing receivable left")
        c.err("receivable", "Bad amount number", account=acc, threshold="x")
        c.err("receivable", "Bad account number", account=BAD_ACCOUNT)

        # ---- blocks
        bi = c.ok("block_info", hash=send, json_block=True)
        check(bi["subtype"] == "send" and bi["confirmed"] == "true"
              and bi["amount"] == str(10 * SMN), "block_info: %s" % bi)
        c.err("block_info", "Bad block hash", hash="1234")
        c.err("block_info", "Block not found", hash=UNKNOWN_HASH)
        bs = c.ok("blocks_info", hashes=[send, recv, UNKNOWN_HASH], include_not_found=True)
        check(set(bs["blocks"]) == {send, recv} and bs["blocks_not_found"] == [UNKNOWN_HASH],
              "blocks_info: %s" % bs)
        c.err("blocks_info", "Block not found", hashes=[UNKNOWN_HASH])
        c.err("blocks_info", "Bad block hash", hashes=["nope"])
        ch = c.ok("chain", block=change, count=10)["blocks"]
        check(ch == [change, recv], "chain: %s" % ch)
        c.err("chain", "Block not found", block=UNKNOWN_HASH)
        c.err("chain", "Bad block hash", block="G" * 64)

        # B's next send builds on B's frontier, which A has moved past: a fork on A
        _, fork = signed_send_from(b, dest)
        c.err("process", "Fork", block=fork)
        check(a.ok("account_info", account=genesis)["frontier"] != fork, "the fork lost")

        # ---- protocol-level errors
        status, body = a.raw("{not json")
        check(status == 400 and json.loads(body)["error"] == "Unable to parse JSON",
              "malformed JSON: %s %s" % (status, body))
        status, body = a.raw(json.dumps({"no_action": 1}))
        check(status == 400, "no action: %s" % status)
        check(a.err("no_such_action") == "Unknown command", "unknown action")
        status, body = a.raw("", method="PUT")
        check(status == 405, "PUT: %s" % status)

        # ---- control disabled: node B restarted with enable_control = false
        b.stop()
        with open(b.conf, "w") as f:
            f.write("[rpc]\nenable_control = false\n")
        b.start_ready()
        for action, fields in [("wallet_create", {}), ("account_create", {"wallet": wallet}),
                               ("account_list", {"wallet": wallet}), ("wallet_list", {}),
                               ("send", {"wallet": demo, "source": genesis,
                                         "destination": acc, "amount": "1"}),
                               ("receive", {"wallet": demo, "account": genesis,
                                            "block": send}),
                               ("account_representative_set",
                                {"wallet": demo, "account": genesis,
                                 "representative": genesis}),
                               ("wallet_receivable", {"wallet": demo}),
                               ("receivable", {"wallet": demo}),
                               ("work_generate", {"hash": send})]:
            e = b.err(action, **fields)
            check(e == "RPC control is disabled", "%s on B: %s" % (action, e))
        check(b.ok("block_count")["count"] == "3", "read actions still work on B")

        missing_ok = [x for x in ISSUE_ACTIONS if x not in c.ok_seen]
        missing_err = [x for x in ISSUE_ACTIONS
                       if x not in c.err_seen and x not in NO_ERROR_CASE]
        check(not missing_ok, "never called successfully: %s" % missing_ok)
        check(not missing_err, "no error case tried: %s" % missing_err)


# Actions that take no argument that could be wrong (their error cases are
# the protocol-level ones: malformed JSON, unknown action, control off).
NO_ERROR_CASE = {"version", "uptime", "block_count", "telemetry", "representatives",
                 "confirmation_quorum", "key_create"}

if __name__ == "__main__":
    run(main)
