"""SIGKILL of a net child on a four-node devnet (representatives on nodes
1-3 at 40 / 35 / 25 %, so without representative 1 nothing reaches the
67 % quorum). The supervisor restarts net after 1 s (restart_backoff_ms).

(i)  Node 1's (representative 1's) net child is killed in the middle of a
     stream of sends from node 4: confirmations stop while it is down and
     must resume; every send ends confirmed on every node.
(ii) Node 4's (no representative) net child is killed and 5 sends from node
     3 go by while it is down; then nothing more is sent. Node 4 must still
     get and confirm all of them within a bounded time: the blocks by
     bootstrap / gap fill, the votes by asking for them (confirm_req).

In both, no other child of the node may restart.

usage: test_devnet_kill_net.py SMALLNANOD
"""
import os
import signal
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import devnet_blocks as blocks  # noqa: E402
from devnet import Devnet, DevnetError, wait_for  # noqa: E402
from nodeutil import fail  # noqa: E402

LOAD = 120
KILL_AFTER = 40
MISSED = 5
CATCH_UP_S = 30


def kill_net(node):
    before = node.pids()
    os.kill(before["net"], signal.SIGKILL)
    return before


def check_restarted_net_only(node, before):
    after = node.wait_ready(timeout=30, exclude_pids={before["net"]})
    for name, pid in before.items():
        if name != "net" and after[name]["pid"] != pid:
            fail("node %d: %s restarted too (%d -> %d)" % (node.index, name, pid,
                                                          after[name]["pid"]))


def main():
    if len(sys.argv) != 2:
        fail("usage: test_devnet_kill_net.py SMALLNANOD")
    try:
        with Devnet(sys.argv[1], nodes=4, reps=3, split=[40, 35, 25], restart_backoff_ms=1000,
                    log=lambda m: print(m, flush=True)) as net:
            n1, n3, n4 = net.nodes[0], net.nodes[2], net.nodes[3]
            w4, a4, _, o4 = net.fund(n4, 1000 * blocks.ONE_SMN)
            w3, a3, _, o3 = net.fund(n3, 1000 * blocks.ONE_SMN)
            net.wait_confirmed([o4, o3], 60, what="source opens")
            dest = blocks.Key().account

            # ---- (i) representative 1's net child dies mid-load ----
            sent, errors = [], []
            killed = threading.Event()
            state = {}

            def load():
                try:
                    for i in range(LOAD):
                        sent.append(n4.rpc_ok("send", "block", wallet=w4, source=a4,
                                              destination=dest, amount=str(10 + i)))
                        if i + 1 == KILL_AFTER:
                            state["before"] = kill_net(n1)
                            state["t_kill"] = time.time()
                            killed.set()
                        time.sleep(0.01)
                except Exception as e:  # noqa: BLE001 - reported below
                    errors.append(repr(e))
                    killed.set()
            t = threading.Thread(target=load)
            t.start()
            killed.wait(120)
            t.join()
            if errors:
                fail("sending from node 4: %s" % errors)
            check_restarted_net_only(n1, state["before"])
            t_back = time.time()
            took = net.wait_confirmed(sent, 60, what="sends of the load")
            print("(i) %d sends from node 4, representative 1's net killed after %d: net back "
                  "%.2f s after the kill; all confirmed on every node %.2f s after it was back"
                  % (LOAD, KILL_AFTER, t_back - state["t_kill"], took))

            # ---- (ii) a non-representative's net child misses 5 sends ----
            before = kill_net(n4)
            t_kill = time.time()
            missed = [n3.rpc_ok("send", "block", wallet=w3, source=a3, destination=dest,
                                amount=str(100 + i)) for i in range(MISSED)]
            t_sent = time.time() - t_kill
            absent = sum(1 for h in missed if "error" in n4.rpc("block_info", hash=h))
            check_restarted_net_only(n4, before)
            t_back = time.time()
            print("(ii) %d sends from node 3 in %.2f s after killing node 4's net; %d of them "
                  "absent from node 4 before its net was back (%.2f s after the kill)"
                  % (MISSED, t_sent, absent, t_back - t_kill))
            if absent == 0:
                fail("node 4 got every send although its net child was dead: the test did "
                     "not test anything")
            try:
                took = net.wait_confirmed(missed, CATCH_UP_S, nodes=[n4],
                                          what="sends node 4 missed (nothing sent since)")
            except DevnetError as e:
                present = sum(1 for h in missed if "error" not in n4.rpc("block_info", hash=h))
                fail("node 4 holds %d of the %d missed sends; %s" % (present, MISSED, e))
            print("(ii) node 4 confirmed all %d %.2f s after its net child was back"
                  % (MISSED, took))
            net.wait_confirmed(missed, 30, what="the missed sends")

            def same():
                c = net.counts()
                return len(set(c.values())) == 1 and c
            c = wait_for("identical block / cemented counts", same, 30, net.nodes, step=0.2)
            print("every node: block_count %d, cemented %d" % c[1])
    except DevnetError as e:
        fail(str(e))
    print("ok")


if __name__ == "__main__":
    main()
