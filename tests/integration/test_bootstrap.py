"""Bootstrap: a node that starts late, or was down while blocks were made,
catches up by a frontier scan (the bootstrap process), with no new publish.

Node 1 (dev) makes sends from the genesis account to an account of its
wallet, which its rpc auto-receives, before node 2 exists. Node 2 then starts
peered to node 1 and must reach node 1's block count (block_count RPC)
within a few seconds while node 1 publishes nothing new. Node 2's bootstrap
child is killed (SIGKILL): the supervisor restarts it and it keeps working
(its progress file stays readable). Finally node 2 is stopped, node 1 makes
more blocks (among them 150 on one chain: more than one pull), node 2
starts again (its bootstrap child is killed once more right away) and
converges again.

usage: test_bootstrap.py SMALLNANOD
"""
import contextlib
import os
import re
import signal
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from nodeutil import fail  # noqa: E402
from test_devnet_three import DevNode, wait_for  # noqa: E402


def count(node):
    return int(node.rpc("block_count")["count"])


def make_blocks(n1, wallet, genesis, dest, sends):
    before = count(n1)
    for i in range(sends):
        r = n1.rpc("send", wallet=wallet, source=genesis, destination=dest, amount=str(1000 + i))
        if "block" not in r:
            fail("send: %r" % r)
    # Each send is auto-received on node 1: 2 blocks per send.
    wait_for("node 1's sends and receives", lambda: count(n1) >= before + 2 * sends, 30, [n1])
    time.sleep(0.5)
    return count(n1)


def converge(n1, n2, what, timeout=20.0):
    target = count(n1)
    t0 = time.time()
    wait_for(what, lambda: count(n2) == target, timeout, [n1, n2], step=0.05)
    took = time.time() - t0
    if count(n1) != target:
        fail("node 1 made blocks meanwhile: %d -> %d" % (target, count(n1)))
    print("%s: %d blocks in %.2f s" % (what, target, took))


def kill_child(node, name):
    old = {p["name"]: p["pid"] for p in node.status()}[name]
    os.kill(old, signal.SIGKILL)
    node.wait_ready(timeout=30, exclude_pids={old})


def main():
    if len(sys.argv) != 2:
        fail("usage: test_bootstrap.py SMALLNANOD")
    smallnanod = sys.argv[1]
    with contextlib.ExitStack() as stack:
        n1 = stack.enter_context(DevNode(smallnanod, 1))
        n1.wait_ready(timeout=60)
        w = n1.rpc("wallet_list")["wallets"][0]
        wallet, genesis = w["id"], w["accounts"][0]
        dest = n1.rpc("account_create", wallet=wallet)["account"]
        total = make_blocks(n1, wallet, genesis, dest, 4)
        if total < 9:
            fail("node 1 has %d blocks, expected at least 9" % total)

        # ---- a late node catches up without any new publish ----
        n2 = stack.enter_context(DevNode(smallnanod, 2, [n1.peer_port]))
        n2.wait_ready(timeout=60)
        converge(n1, n2, "late node 2 reaches node 1")
        # It was the bootstrap process's scan (nothing else pulls without a
        # publish revealing a gap).
        if not re.search(r"bootstrap: \d+ of \d+ accounts behind the peer", n2.read_log()):
            fail("node 2 converged but its bootstrap did not pull:\n" + n2.read_log()[-4000:])
        state = os.path.join(n2.data, "bootstrap", "bootstrap.state")
        wait_for("bootstrap.state written", lambda: os.path.exists(state), 10, [n1, n2])

        # ---- the bootstrap child dies: restarted, still working ----
        kill_child(n2, "bootstrap")
        with open(state) as f:
            line = f.read().strip()
        if not re.fullmatch(r"[0-9A-F]{64}", line):
            fail("bootstrap.state holds %r" % line)

        # ---- node 2 down while node 1 makes blocks; back up: converges ----
        n2.proc.send_signal(signal.SIGTERM)
        if n2.wait_exit(30) is None:
            fail("node 2 did not stop on SIGTERM")
        total = make_blocks(n1, wallet, genesis, dest, 3)
        # A chain more than one pull (128 blocks) longer than node 2's.
        key = n1.rpc("key_create")["account"]
        for i in range(150):
            r = n1.rpc("send", wallet=wallet, source=genesis, destination=key, amount="1")
            if "block" not in r:
                fail("send: %r" % r)
        if count(n1) != total + 150:
            fail("node 1 has %d blocks, expected %d" % (count(n1), total + 150))
        n2.start()
        n2.wait_ready(timeout=60)
        kill_child(n2, "bootstrap")
        converge(n1, n2, "restarted node 2 reaches node 1 again")
        for n in (n1, n2):
            info = n.rpc("account_info", account=dest)
            if info.get("block_count") != "7":
                fail("node %d: destination account_info %r" % (n.index, info))
    print("ok")


if __name__ == "__main__":
    main()
