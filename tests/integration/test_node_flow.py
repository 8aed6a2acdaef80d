"""A person moves money on a one-host dev node, through the HTTP JSON RPC:
wallet_create, account_create, send from the demo wallet (genesis funds) to
the new account, receive; both blocks confirmed within 1 s. Then the whole
node restarts (SIGTERM, start again): balances, account_history and
receivable are unchanged. Finally, with auto-receive on (the dev default),
a send left unreceived before the restart and a new one are received by the
node itself.

usage: test_node_flow.py SMALLNANOD
"""
import sys
import time

from test_node_util import DevNode, check, run

SMN = 10 ** 30


def snapshot(n, accounts, wallet):
    """Everything that must survive a restart."""
    out = {}
    for a in accounts:
        out[("balance", a)] = n.ok("account_balance", account=a)
        out[("history", a)] = n.ok("account_history", account=a, count=100)
        out[("receivable", a)] = n.ok("receivable", account=a, count=100, source=True)
        out[("info", a)] = n.ok("account_info", account=a)
    out["wallet_receivable"] = n.ok("wallet_receivable", wallet=wallet, count=100)
    out["wallets"] = n.ok("wallet_list")
    count = n.ok("block_count")
    out["block_count"] = (count["count"], count["cemented"])
    return out


def main():
    smallnanod = sys.argv[1]
    with DevNode(smallnanod, config="[rpc]\nauto_receive = false\n") as n:
        demo, genesis = n.demo()
        check(n.ok("account_balance", account=genesis)["balance"] == str(10_000_000 * SMN),
              "the demo wallet holds the genesis funds")

        wallet = n.ok("wallet_create")["wallet"]
        acc = n.ok("account_create", wallet=wallet)["account"]
        check(n.ok("account_list", wallet=wallet)["accounts"] == [acc], "account_list")

        t0 = time.time()
        send = n.ok("send", wallet=demo, source=genesis, destination=acc,
                    amount=str(5 * SMN))["block"]
        t_send = n.wait_confirmed([send], timeout=5)
        t1 = time.time()
        recv = n.ok("receive", wallet=wallet, account=acc, block=send)["block"]
        t_recv = n.wait_confirmed([recv], timeout=5)
        total = time.time() - t0
        print("send confirmed %.1f ms after its answer, receive %.1f ms; %.1f ms for both"
              % (t_send * 1000, t_recv * 1000, total * 1000))
        check(time.time() - t1 < 1.0 and total < 1.0,
              "send and receive confirmed within 1 s (took %.3f s)" % total)
        check(n.ok("account_balance", account=acc)["balance"] == str(5 * SMN), "received 5 smn")
        check(n.ok("account_balance", account=genesis)["balance"] == str(9_999_995 * SMN),
              "genesis paid 5 smn")

        # A second send stays receivable across the restart.
        pend = n.ok("send", wallet=demo, source=genesis, destination=acc,
                    amount=str(2 * SMN))["block"]
        n.wait_confirmed([pend], timeout=5)
        rec = n.ok("receivable", account=acc)["blocks"]
        check(list(rec) == [pend], "one receivable: %s" % rec)

        before = snapshot(n, [genesis, acc], wallet)
        hist = before[("history", acc)]["history"]
        check([h["hash"] for h in hist] == [recv] and hist[0]["type"] == "receive",
              "history of the new account: %s" % hist)

        n.stop()
        n.start_ready()
        after = snapshot(n, [genesis, acc], wallet)
        for k in before:
            check(before[k] == after[k], "%s changed across the restart:\n%s\n%s"
                  % (k, before[k], after[k]))
        check(n.confirmed(send) and n.confirmed(recv) and n.confirmed(pend),
              "still confirmed after the restart")

        # Auto-receive on (the dev default): the receivable left behind is
        # received at start, and a new send as it arrives.
        n.stop()
        with open(n.conf, "w") as f:
            f.write("[rpc]\nauto_receive = auto\n")
        n.start_ready()

        def received(amount):
            info = n.ok("account_info", account=acc)
            if info["balance"] != str(amount) or n.ok("receivable", account=acc)["blocks"]:
                return None
            return info if info["confirmation_height"] == info["block_count"] else None

        n.wait_for(lambda: received(7 * SMN), "auto-receive of the old send", timeout=10)
        t0 = time.time()
        n.ok("send", wallet=demo, source=genesis, destination=acc, amount=str(SMN))
        info = n.wait_for(lambda: received(8 * SMN), "auto-receive of a new send", timeout=10)
        print("auto-receive: received and confirmed %.1f ms after the send"
              % ((time.time() - t0) * 1000))
        check(info["block_count"] == "3", "open + 2 receives: %s" % info)
        n.stop()


if __name__ == "__main__":
    run(main)
