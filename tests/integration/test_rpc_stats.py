"""The figures behind telemetry, peers, confirmation_quorum,
representatives_online, election_statistics, stats and bootstrap_status
come from the processes that own them (net, elections, bootstrap) while a
two-node devnet runs: rpc asks them over their sockets (status_link.h).
Node 2 holds no weight of its own after the split, so the representative
it sees online came to it over the network: node 1's representative must
be among them, with at least its weight, and node 2's peers must name
node 1. Freezing node 2's elections process (SIGSTOP) makes
confirmation_quorum say so (503) once its figures are stale, instead of
answering zeros, and the figures come back once it runs again. The nodes'
supervisors wait 60 s for a heartbeat (not the default 5 s): a loaded
machine must not make one kill a slow child mid-test, nor kill the frozen
elections (and restart it, answering again) before rpc sees it gone.

usage: test_rpc_stats.py SMALLNANOD
"""
import os
import signal
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import devnet_blocks as blocks  # noqa: E402
from devnet import Devnet, DevnetError, wait_for  # noqa: E402
from nodeutil import fail  # noqa: E402


def main():
    if len(sys.argv) != 2:
        fail("usage: test_rpc_stats.py SMALLNANOD")
    try:
        with Devnet(sys.argv[1], nodes=2, reps=1, log=lambda m: print(m, flush=True),
                    heartbeat_timeout_ms=60000) as net:
            a, b = net.nodes
            rep = net.reps[0]["account"]
            # votes flow: a block node 2 has to hear node 1's votes on
            _, _, _, h = net.fund(b, 1000 * blocks.ONE_SMN)
            wait_for("the open confirmed on node 2",
                     lambda: b.rpc("block_info", hash=h).get("confirmed") == "true", 60, net.nodes)

            def quorum():
                q = b.rpc("confirmation_quorum")
                return q if int(q.get("online_stake_total", "0")) > 0 else None
            q = wait_for("online weight on node 2", quorum, 30, net.nodes)
            print("node 2 confirmation_quorum: %s" % q)
            # node 1's representative voted through the network, with its
            # weight when it voted: between the funding send (1000 smn less)
            # and the open (delegated back, or not); the genesis key may
            # still count too
            rep_weight = int(b.rpc("account_weight", account=rep)["weight"])
            if rep_weight <= 0 or int(q["online_stake_total"]) < rep_weight - 1000 * blocks.ONE_SMN:
                raise DevnetError("online weight %s, the representative has %s"
                                  % (q["online_stake_total"], rep_weight))
            if int(q["quorum_delta"]) * 100 < int(q["trended_stake_total"]) * 66:
                raise DevnetError("quorum_delta %s is not 67%% of %s"
                                  % (q["quorum_delta"], q["trended_stake_total"]))
            online = b.rpc("representatives_online", weight=True)["representatives"]
            if rep not in online:
                raise DevnetError("representatives_online on node 2: %s" % online)
            # one view: the list's weights add up to the online weight
            q2 = b.rpc("confirmation_quorum")
            if sum(int(v["weight"]) for v in online.values()) != int(q2["online_stake_total"]):
                online = b.rpc("representatives_online", weight=True)["representatives"]
                q2 = b.rpc("confirmation_quorum")
            if sum(int(v["weight"]) for v in online.values()) != int(q2["online_stake_total"]):
                raise DevnetError("representatives_online %s does not add up to %s"
                                  % (online, q2["online_stake_total"]))

            for n in (a, b):
                t = n.rpc("telemetry")
                if int(t.get("peer_count", "0")) < 1 or not t.get("node_id", "").startswith("node_"):
                    raise DevnetError("node %d telemetry: %s" % (n.index, t))
                p = n.rpc("peers", peer_details=True)["peers"]
                if not p:
                    raise DevnetError("node %d peers: %s" % (n.index, p))
            a_id = a.rpc("node_id")["node_id"]
            if a_id not in [d["node_id"] for d in b.rpc("peers", peer_details=True)["peers"].values()]:
                raise DevnetError("node 2's peers do not name node 1 (%s)" % a_id)
            es = b.rpc("election_statistics")
            if "total" not in es or "aec_utilization_percentage" not in es:
                raise DevnetError("election_statistics: %s" % es)
            st = b.rpc("stats", type="counters")
            conf = [e for e in st["entries"] if e["type"] == "election" and e["detail"] == "confirmed"]
            if not conf or int(conf[0]["value"]) < 1 or "unavailable" in st:
                raise DevnetError("stats on node 2: %s" % st)
            if b.rpc("search_receivable_all") != {"started": "1"}:
                raise DevnetError("search_receivable_all on node 2 (auto-receive on)")
            bs = b.rpc("bootstrap_status")
            if bs.get("phase") not in ("idle", "frontiers", "pull", "submit"):
                raise DevnetError("bootstrap_status: %s" % bs)
            print("node 2: %s peers, election_statistics %s, bootstrap %s"
                  % (len(b.rpc("peers")["peers"]), es, bs))

            # elections frozen (answers nothing): an answer that says so
            # once its figures are stale, then figures again
            pid = b.status_by_name()["elections"]["pid"]
            os.kill(pid, signal.SIGSTOP)
            wait_for("confirmation_quorum to say elections is gone",
                     lambda: "Elections process unavailable" in b.rpc("confirmation_quorum").get(
                         "error", ""), 20, net.nodes)
            # a block node 2 holds uncemented while its elections is frozen;
            # block_confirm reaches elections once it runs again
            _, _, _, h2 = net.fund(a, 10 * blocks.ONE_SMN)
            os.kill(pid, signal.SIGCONT)
            wait_for("node 2 has the new open block",
                     lambda: "error" not in b.rpc("block_info", hash=h2), 30, net.nodes)
            r = b.rpc("block_confirm", hash=h2)
            if not (r.get("started") == "1" and r.get("status") in
                    ("started", "fork", "active", "confirmed", "queued")) and \
                    r != {"started": "0", "confirmed": "true"}:
                raise DevnetError("block_confirm on node 2: %s" % r)
            print("block_confirm on node 2: %s" % r)
            r = b.rpc("block_confirm", hash=h)
            if r != {"started": "0", "confirmed": "true"}:
                raise DevnetError("block_confirm of a cemented block: %s" % r)
            wait_for("figures once elections runs again",
                     lambda: "quorum_delta" in b.rpc("confirmation_quorum"), 30, net.nodes)
    except DevnetError as e:
        fail(str(e))
    print("ok")


if __name__ == "__main__":
    main()
