"""Five nodes, three representatives on nodes 1-3 holding 40 / 35 / 25 % of
the weight (none reaches the 67 % quorum alone, every confirmation needs
votes from another node). Two source accounts, funded from genesis and held
by nodes 4 and 2, send at the same time from two threads (RPC `send` on
their own node): 500 sends in all. Every one must be confirmed on every
node, and at the end all five report the same block and cemented counts.

usage: test_devnet_five.py SMALLNANOD
"""
import os
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import devnet_blocks as blocks  # noqa: E402
from devnet import Devnet, DevnetError, wait_for  # noqa: E402
from nodeutil import fail  # noqa: E402

SENDS_PER_SOURCE = 250


def main():
    if len(sys.argv) != 2:
        fail("usage: test_devnet_five.py SMALLNANOD")
    t_start = time.time()
    try:
        with Devnet(sys.argv[1], nodes=5, reps=3, split=[40, 35, 25],
                    log=lambda m: print(m, flush=True)) as net:
            t_setup = time.time() - t_start
            for n in net.nodes:
                for r in net.reps:
                    if n.rpc("account_weight", account=r["account"])["weight"] != r["weight"]:
                        fail("node %d: weight of %s" % (n.index, r["account"]))
            # All three online: the delta is 67 % of the supply.
            biggest = max(int(r["weight"]) for r in net.reps)
            if biggest * 100 >= 67 * blocks.SUPPLY:
                fail("a single representative (%d raw) reaches the quorum" % biggest)

            senders = [net.nodes[3], net.nodes[1]]
            sources = []
            for node in senders:
                wallet, account, _, open_hash = net.fund(node, 1000 * blocks.ONE_SMN)
                sources.append((node, wallet, account))
            first = [s[2] for s in sources]
            wait_for("the two source accounts opened and confirmed everywhere",
                     lambda: all(n.rpc("account_info", account=a).get("confirmation_height") ==
                                 "1" for n in net.nodes for a in first), 60, net.nodes)
            dests = [blocks.Key().account for _ in range(10)]
            sent = [[], []]
            errors = []

            def sender(k):
                node, wallet, account = sources[k]
                try:
                    for i in range(SENDS_PER_SOURCE):
                        h = node.rpc_ok("send", "block", wallet=wallet, source=account,
                                        destination=dests[i % len(dests)], amount=str(1000 + i))
                        sent[k].append(h)
                except Exception as e:  # noqa: BLE001 - reported below
                    errors.append("sender on node %d: %r" % (node.index, e))
            threads = [threading.Thread(target=sender, args=(k,)) for k in range(2)]
            t0 = time.time()
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            t_sent = time.time() - t0
            if errors:
                fail("; ".join(errors))
            hashes = sent[0] + sent[1]
            if len(set(hashes)) != 2 * SENDS_PER_SOURCE:
                fail("%d distinct sends, expected %d" % (len(set(hashes)), 2 * SENDS_PER_SOURCE))
            net.wait_confirmed(hashes, timeout=60, what="sends")
            t_conf = time.time() - t0

            last = {}

            def same_counts():
                last.update(net.counts())
                return (len(set(last.values())) == 1 and
                        all(b == ce for b, ce in last.values()) and dict(last))
            try:
                counts = wait_for("identical block and cemented counts on all five nodes",
                                  same_counts, 30, net.nodes, step=0.2)
            except DevnetError as e:
                stuck = {n.index: n.unconfirmed() for n in net.nodes if last[n.index][1] != last[n.index][0]}
                fail("(block_count, cemented) per node %r; unconfirmed %r; %s" % (last, stuck, e))
            total = counts[1][0]
            print("setup (5 nodes, split 40/35/25): %.1f s" % t_setup)
            print("%d sends from nodes %d and %d in %.2f s (%.0f sends/s)"
                  % (len(hashes), senders[0].index, senders[1].index, t_sent,
                     len(hashes) / t_sent))
            print("all %d confirmed on all 5 nodes %.2f s after the first send "
                  "(%.0f confirmations/s end to end, %.2f s after the last send)"
                  % (len(hashes), t_conf, len(hashes) / t_conf, t_conf - t_sent))
            print("every node: block_count %d, cemented %d" % counts[1])
            votes = [n.peers()["votes_in"] for n in net.nodes]
            print("votes received per node: %s" % votes)
            if total < 2 * SENDS_PER_SOURCE + 9:
                fail("block count %d is below the %d blocks made" % (total, 2 * SENDS_PER_SOURCE + 9))
    except DevnetError as e:
        fail(str(e))
    print("ok")


if __name__ == "__main__":
    main()
