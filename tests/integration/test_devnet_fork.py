"""A fork on a four-node devnet (three representatives on nodes 1-3, even
split, so a winner needs two of them). Two sends from one account on the
same previous block to different destinations are built and signed offline
(devnet_blocks.py: Ed25519 + Blake2b as docs/protocol.md) and published at
the same moment (two threads behind a barrier) to nodes 2 and 4 with the
RPC `process`. Every node must end with the same one of them confirmed and
the other absent (rolled back where it had been applied), and a later send
built on the winner must confirm everywhere.

usage: test_devnet_fork.py SMALLNANOD
"""
import copy
import os
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import devnet_blocks as blocks  # noqa: E402
from devnet import Devnet, DevnetError, wait_for  # noqa: E402
from nodeutil import fail  # noqa: E402

AMOUNT = 100 * blocks.ONE_SMN


def state(node, h):
    """None (absent), False (present, unconfirmed) or True (confirmed)."""
    r = node.rpc("block_info", hash=h)
    if "error" in r:
        return None
    return r.get("confirmed") == "true"


def main():
    if len(sys.argv) != 2:
        fail("usage: test_devnet_fork.py SMALLNANOD")
    try:
        with Devnet(sys.argv[1], nodes=4, reps=3, log=lambda m: print(m, flush=True)) as net:
            _, account, key, open_hash = net.fund(net.nodes[3], AMOUNT)
            wait_for("the forking account's open confirmed everywhere",
                     lambda: all(state(n, open_hash) for n in net.nodes), 60, net.nodes)
            base = blocks.Chain(key, bytes.fromhex(open_hash), AMOUNT,
                                blocks.public_of(net.reps[0]["account"]))
            chains = [copy.copy(base), copy.copy(base)]
            dests = [blocks.Key(), blocks.Key()]
            forks = [chains[i].send(dests[i].public, 1000 + i) for i in range(2)]
            if forks[0].previous != forks[1].previous or forks[0].hash == forks[1].hash:
                fail("the two blocks are not a fork")
            hashes = [f.hash_hex for f in forks]
            print("fork on root %s: A %s -> node 2, B %s -> node 4"
                  % (open_hash, hashes[0], hashes[1]))
            targets = [net.nodes[1], net.nodes[3]]
            barrier = threading.Barrier(2)
            answers = [None, None]

            def publish(i):
                barrier.wait()
                answers[i] = targets[i].rpc("process", json_block=True, block=forks[i].json())
            threads = [threading.Thread(target=publish, args=(i,)) for i in range(2)]
            t0 = time.time()
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            print("process answers: node 2 %r, node 4 %r" % (answers[0], answers[1]))
            for i in range(2):
                if answers[i].get("hash") != hashes[i] and answers[i].get("error") != "Fork":
                    fail("node %d: unexpected process answer %r" % (targets[i].index, answers[i]))

            def settled():
                st = {n.index: [state(n, h) for h in hashes] for n in net.nodes}
                for w in range(2):
                    if all(s[w] is True and s[1 - w] is None for s in st.values()):
                        return (w, st)
                settled.last = st
                return None
            settled.last = None
            try:
                winner, st = wait_for("one fork confirmed on every node, the other absent",
                                      settled, 60, net.nodes, step=0.05)
            except DevnetError as e:
                fail("states per node [A, B] (None absent, False unconfirmed, True confirmed): "
                     "%r; %s" % (settled.last, e))
            t_settle = time.time() - t0
            print("winner %s (%s) on all 4 nodes %.2f s after publishing"
                  % ("AB"[winner], hashes[winner], t_settle))
            loser = hashes[1 - winner]
            for n in net.nodes:
                info = n.rpc("account_info", account=account)
                if info.get("frontier") != hashes[winner]:
                    fail("node %d: frontier %r, expected the winner" % (n.index, info))
                r = n.rpc("receivable", account=dests[1 - winner].account)
                if r.get("blocks"):
                    fail("node %d still lists the loser's receivable: %r" % (n.index, r))

            # A later block on the winner's chain confirms everywhere.
            nxt = chains[winner].send(dests[winner].public, 7)
            h = net.nodes[0].rpc_ok("process", "hash", json_block=True, block=nxt.json())
            t1 = time.time()
            wait_for("the send after the winner confirmed everywhere",
                     lambda: all(state(n, h) for n in net.nodes), 30, net.nodes)
            print("next block on the winner's chain confirmed everywhere in %.2f s"
                  % (time.time() - t1))
            for n in net.nodes:
                if state(n, loser) is not None:
                    fail("node %d: the loser came back" % n.index)
            c = net.counts()
            if len(set(c.values())) != 1:
                fail("block / cemented counts differ: %r" % c)
            print("every node: block_count %d, cemented %d" % c[1])
    except DevnetError as e:
        fail(str(e))
    print("ok")


if __name__ == "__main__":
    main()
