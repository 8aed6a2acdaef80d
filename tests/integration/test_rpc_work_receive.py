"""Auto-receive succeeds when proof of work takes seconds, and rpc keeps its
heartbeat meanwhile (issue 10: "wallet sends and auto-receive on live
succeed with real thresholds"; the send half is test_rpc_work.py).

A dev node with `[rpc] wallet_work_difficulty` raised to a difficulty
whose search takes seconds (as live's thresholds do) and heartbeats every
200 ms with a 1 s timeout (a blocked rpc loop would get rpc killed). A
send from the demo wallet to a new account of the same wallet must be
received by auto-receive: the account opens, with work that meets the
raised difficulty, and the block is cemented. rpc keeps its pid (a loop
blocked for a second would have been killed) and answers account_info
throughout.

usage: test_rpc_work_receive.py SMALLNANOD
"""
import json
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from test_node_util import DevNode, check, run  # noqa: E402

WALLET_DIFFICULTY = os.environ.get("SMN_TEST_WALLET_DIFFICULTY", "fffffe0000000000")
CONFIG = """
[rpc]
work_threads = 2
wallet_work_difficulty = %s
[supervisor]
heartbeat_interval_ms = 200
heartbeat_timeout_ms = 1000
""" % WALLET_DIFFICULTY


def main():
    with DevNode(sys.argv[1], config=CONFIG) as n:
        rpc_pid = {p["name"]: p for p in n.status()}["rpc"]["pid"]
        demo, genesis = n.demo()
        dest = n.ok("account_create", wallet=demo)["account"]
        t0 = time.time()
        # the send's own work takes seconds too (minutes on a loaded sanitizer build)
        st, r = n.call("send", timeout=180, wallet=demo, source=genesis, destination=dest,
                       amount="1000")
        check(st == 200 and "block" in r, "send: %s %s" % (st, r))
        answers, worst = 0, 0.0

        def opened():
            nonlocal answers, worst
            t = time.time()
            st, r = n.call("account_info", account=dest)
            worst = max(worst, time.time() - t)
            answers += 1
            return st == 200 and "error" not in r and r
        info = n.wait_for(opened, "the auto-receive of the send", timeout=180)
        took = time.time() - t0
        blk = n.ok("block_info", hash=info["open_block"])
        n.wait_confirmed([info["open_block"]], timeout=30)
        contents = blk["contents"]
        if isinstance(contents, str):
            contents = json.loads(contents)
        pub = n.ok("account_key", account=dest)["key"]
        v = n.ok("work_validate", hash=pub, work=contents["work"], difficulty=WALLET_DIFFICULTY)
        check(v["valid"] == "1", "the receive's work meets wallet_work_difficulty: %s" % v)
        now = {p["name"]: p for p in n.status()}["rpc"]["pid"]
        check(now == rpc_pid, "rpc was restarted (pid %s -> %s)" % (rpc_pid, now))
        print("auto-receive at %s opened %s... in %.2f s (send included); %d account_info "
              "answers meanwhile, slowest %.3f s" % (WALLET_DIFFICULTY, dest[:16], took, answers,
                                                    worst))
        n.stop()


if __name__ == "__main__":
    run(main)
