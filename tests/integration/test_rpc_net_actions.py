"""keepalive, republish and wallet_republish through two real dev nodes on
loopback (issue 13). Neither node is configured with the other.

1. Node B's keepalive names node A's peering port: B's net dials it and
   both list each other in `peers`.
2. republish on A (a send with destinations=1, its receive with
   sources=1) and wallet_republish answer Nano's block lists, in Nano's
   order, and A's net sends exactly that many publish messages to its one
   peer (A's `stats` publish out counter; A makes no other block then).
3. telemetry from peers: B's `raw` lists A's signed telemetry as net
   received it (A's node id, block count and genesis), `address`/`port`
   pick it alone, B's own loopback endpoint gives B's local telemetry, any
   other endpoint "Peer not found".
4. A third node C, with no peer: bootstrap_lazy says no peer was asked;
   bootstrap naming A's endpoint brings C to A's block count; then
   bootstrap_lazy of A's newest block asks a peer and C holds it.
5. Bad input gets Nano's errors: port, address, an endpoint net will not
   dial, an unknown block, counts.
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from test_node_util import DevNode, check, run  # noqa: E402


def publish_out(n):
    r = n.ok("stats", type="counters")
    for e in r["entries"]:
        if e["type"] == "message" and e["detail"] == "publish" and e["dir"] == "out":
            return int(e["value"])
    return None


def wait_publish_out(n, want, what):
    n.wait_for(lambda: publish_out(n) == want, "%s (publish out %d, now %s)"
               % (what, want, publish_out(n)), timeout=15)


def main():
    with DevNode(sys.argv[1]) as a, DevNode(sys.argv[1]) as b:
        demo, genesis = a.demo()
        dest = a.ok("account_create", wallet=demo)["account"]
        s1 = a.ok("send", wallet=demo, source=genesis, destination=dest, amount="1000")["block"]
        a.wait_confirmed([s1])
        r1 = a.wait_for(lambda: a.call("account_info", account=dest)[1].get("frontier"),
                        "auto-receive on A", timeout=20)
        a.wait_confirmed([r1])
        check(a.ok("peers")["peers"] == {}, "A has no peer yet")

        # 1. keepalive
        check(b.ok("keepalive", address="127.0.0.1", port=str(a.peer_port)) == {"started": "1"},
              "keepalive answers started")
        a_ep = "127.0.0.1:%d" % a.peer_port
        b.wait_for(lambda: a_ep in b.ok("peers")["peers"], "B peered with A", timeout=20)
        a.wait_for(lambda: len(a.ok("peers")["peers"]) == 1, "A sees B", timeout=20)
        print("keepalive: B reached A at %s" % a_ep)

        # 2. republish: A's net sends what the answer lists
        a.wait_for(lambda: publish_out(a) is not None, "A's net counters")
        p0 = publish_out(a)
        r = a.ok("republish", hash=s1, count="1", destinations="1")
        check(r == {"success": "", "blocks": [s1, r1]}, "send, then its receive: %s" % r)
        wait_publish_out(a, p0 + 2, "republish sent two blocks to B")
        r = a.ok("republish", hash=r1, sources="1")
        check(r["blocks"] == [s1, r1], "the source's send before the receive: %s" % r)
        wait_publish_out(a, p0 + 4, "republish with sources")
        r = a.ok("republish", hash=s1)
        check(r["blocks"] == [s1], "count defaults to the rest of the chain: %s" % r)
        wait_publish_out(a, p0 + 5, "republish of one block")
        heads = [a.ok("account_info", account=x)["frontier"] for x in (genesis, dest)]
        r = a.ok("wallet_republish", wallet=demo, count="1")
        check(r == {"blocks": heads}, "each account's head, account by account: %s" % r)
        wait_publish_out(a, p0 + 7, "wallet_republish")
        r = a.ok("wallet_republish", wallet=demo, count="2")
        g_prev = a.ok("block_info", hash=heads[0], json_block=True)["contents"]["previous"]
        check(r["blocks"][:2] == [g_prev, heads[0]], "oldest first: %s" % r)
        b.wait_for(lambda: b.call("block_info", hash=r1)[0] == 200 and
                   "error" not in b.call("block_info", hash=r1)[1], "B has A's blocks", timeout=20)
        print("republish: %d publishes out" % (publish_out(a) - p0))

        # 3. telemetry of peers
        a_id = a.ok("node_id")["node_id"]
        a_count = a.ok("block_count")["count"]
        metrics = b.wait_for(lambda: b.ok("telemetry", raw=True)["metrics"],
                             "A's telemetry on B", timeout=20)
        check(len(metrics) == 1, "one peer: %s" % metrics)
        m = metrics[0]
        check(m["node_id"] == a_id and m["block_count"] == a_count, "A's figures: %s" % m)
        check(m["address"] == "127.0.0.1" and m["port"] == str(a.peer_port), "A's endpoint: %s" % m)
        check(m["genesis_block"] == a.ok("telemetry")["genesis_block"], "the same genesis")
        check(len(m["signature"]) == 128, "signed: %s" % m["signature"])
        one = b.ok("telemetry", address="127.0.0.1", port=str(a.peer_port))
        check(one == m, "address/port picks it: %s" % one)
        local = b.ok("telemetry", address="127.0.0.1", port=str(b.peer_port))
        check(local.get("maker") == "smallnano" and local["node_id"] != a_id, "B's own: %s" % local)
        check(b.err("telemetry", address="127.0.0.1", port="1") == "Peer not found", "no such peer")
        check(b.err("telemetry", address="127.0.0.1") == "Both port and address required",
              "address without port")
        print("telemetry: A as B sees it: %s blocks, uptime %s s" % (m["block_count"], m["uptime"]))

        # 4. bootstrap and bootstrap_lazy on a node without peers
        with DevNode(sys.argv[1]) as c:
            head = a.ok("account_info", account=dest)["frontier"]
            r = c.ok("bootstrap_lazy", hash=head)
            check(r == {"started": "0", "key_inserted": "0"}, "no peer to ask: %s" % r)
            r = c.ok("bootstrap", address="127.0.0.1", port=str(a.peer_port))
            check(r.get("success") == "", "bootstrap answers success: %s" % r)
            target = a.ok("block_count")["count"]
            c.wait_for(lambda: c.ok("block_count")["count"] == target,
                       "C bootstrapped to A's %s blocks" % target, timeout=30)
            r = c.ok("bootstrap_lazy", hash=head)
            check(r == {"started": "1", "key_inserted": "1"}, "a peer asked: %s" % r)
            check(c.ok("block_info", hash=head)["contents"], "C holds A's newest block")
            check(c.err("bootstrap_lazy", hash="xyz") == "Bad block hash", "bad hash")
            check(c.err("bootstrap", address="127.0.0.1", port="70000") == "Invalid port",
                  "bad port")
            c.check_log()
        print("bootstrap: C reached %s blocks" % target)

        # 5. errors
        check(b.err("keepalive", address="127.0.0.1", port="0") == "Invalid port", "port 0")
        check(b.err("keepalive", address="127.0.0.1", port="x") == "Invalid port", "port x")
        check(b.err("keepalive", address="127.0.0.1") == "Missing field: port", "no port")
        check(b.err("keepalive", address="localhost", port="7075").startswith("Invalid address"),
              "names are not resolved")
        e = b.err("keepalive", address="224.0.0.1", port="7075")
        check("connect" in e, "net refuses a multicast address: %s" % e)
        check(a.err("republish", hash="0" * 64) == "Block not found", "unknown block")
        check(a.err("republish", hash="xyz") == "Bad block hash", "bad hash")
        check(a.err("republish", hash=s1, count="5000") == "Invalid count limit", "count")
        check(a.err("republish", hash=s1, sources="x") == "Invalid sources number", "sources")
        check(a.err("wallet_republish", wallet=demo) == "Missing field: count", "no count")
        check(a.err("wallet_republish", wallet="0" * 64, count="1") == "Wallet not found",
              "unknown wallet")
        a.check_log()
        b.check_log()


if __name__ == "__main__":
    run(main)
