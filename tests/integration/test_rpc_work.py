"""Proof of work never stops the rpc process (real node on loopback).

1. With wallet work raised to a difficulty that takes seconds ([rpc]
   wallet_work_difficulty), a wallet `send` succeeds while other requests
   are answered promptly, and heartbeats (200 ms, 1 s timeout: a stalled
   loop gets rpc killed) never stall.
2. Six work_generate at difficulty ffffffffffffffff (never found): the node
   stays up, account_balance and block_count answer meanwhile, a seventh
   from the same client is refused (per-client limit), one above
   work_max_difficulty is refused, and work_cancel ends them.
3. rpc was never restarted; no sanitizer report in the log.
"""
import json
import os
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from test_node_util import DevNode, check, run  # noqa: E402

WALLET_DIFFICULTY = os.environ.get("SMN_TEST_WALLET_DIFFICULTY", "fffffe0000000000")
CONFIG = """
[rpc]
work_threads = 2
work_queue_max = 16
work_per_client_max = 6
work_max_difficulty = fffffffffffffff0
wallet_work_difficulty = %s
[supervisor]
heartbeat_interval_ms = 200
heartbeat_timeout_ms = 1000
""" % WALLET_DIFFICULTY

ROOT_A = "A" * 64
ROOT_B = "B" * 64


class Poller(threading.Thread):
    """Calls cheap actions in a loop; records the slowest answer."""

    def __init__(self, n, genesis):
        super().__init__(daemon=True)
        self.n, self.genesis = n, genesis
        self.stop = threading.Event()
        self.worst = 0.0
        self.count = 0
        self.errors = []

    def run(self):
        while not self.stop.is_set():
            for action, fields in (("block_count", {}),
                                   ("account_balance", {"account": self.genesis})):
                t0 = time.time()
                try:
                    st, r = self.n.call(action, timeout=5.0, **fields)
                    if st != 200 or "error" in r:
                        self.errors.append((action, st, r))
                except Exception as e:  # noqa: BLE001
                    self.errors.append((action, repr(e)))
                self.worst = max(self.worst, time.time() - t0)
                self.count += 1
            time.sleep(0.02)


def rpc_proc(n):
    return {p["name"]: p for p in n.status()}["rpc"]


def main():
    with DevNode(sys.argv[1], config=CONFIG) as n:
        pid0 = rpc_proc(n)["pid"]
        demo, genesis = n.demo()
        dest = n.ok("account_create", wallet=demo)["account"]

        # 1. a wallet send whose work takes seconds
        poll = Poller(n, genesis)
        poll.start()
        t0 = time.time()
        sent = n.ok("send", wallet=demo, source=genesis, destination=dest, amount="1000")
        send_s = time.time() - t0
        time.sleep(0.3)
        poll.stop.set()
        poll.join()
        blk = n.ok("block_info", hash=sent["block"])["contents"]
        if isinstance(blk, str):
            blk = json.loads(blk)
        v = n.ok("work_validate", hash=blk["previous"], work=blk["work"],
                 difficulty=WALLET_DIFFICULTY)
        check(v["valid"] == "1", "the send's work meets wallet_work_difficulty: %s" % v)
        print("send with work at %s took %.2f s; %d other answers meanwhile, slowest %.3f s"
              % (WALLET_DIFFICULTY, send_s, poll.count, poll.worst))
        check(not poll.errors, "other requests failed during the send: %s" % poll.errors[:3])
        check(poll.count >= 10, "other requests were answered during the send (%d)" % poll.count)
        check(poll.worst < 1.0, "no answer took a second during the send (%.3f s)" % poll.worst)

        # 2. six searches that never finish
        answers = {}

        def gen(i, root):
            answers[i] = n.call("work_generate", timeout=60.0, hash=root,
                                difficulty="fffffffffffffff0")

        threads = [threading.Thread(target=gen, args=(i, ROOT_A if i < 3 else ROOT_B), daemon=True)
                   for i in range(6)]
        for t in threads:
            t.start()
        deadline = time.time() + 10
        seventh = None
        time.sleep(0.5)
        while time.time() < deadline:
            try:
                seventh = n.call("work_generate", timeout=2.0, hash="C" * 64,
                                 difficulty="fffffffffffffff0")
            except OSError:
                # accepted: not all six had arrived yet; end it, try again
                n.ok("work_cancel", hash="C" * 64)
                continue
            if seventh[0] == 503:
                break  # all six are queued or running now
        check(seventh and seventh[0] == 503 and "Too many work requests" in seventh[1]["error"],
              "a seventh search from the same client is refused: %s" % (seventh,))
        above = n.err("work_generate", hash=ROOT_A, difficulty="ffffffffffffffff")
        check("above the configured maximum" in above, "above work_max_difficulty: %s" % above)

        poll = Poller(n, genesis)
        poll.start()
        time.sleep(2.5)  # two threads spin at 100%; the loop must not care
        poll.stop.set()
        poll.join()
        print("during six endless searches: %d answers, slowest %.3f s" % (poll.count, poll.worst))
        check(not poll.errors, "requests failed during the searches: %s" % poll.errors[:3])
        check(poll.count >= 20 and poll.worst < 1.0,
              "answers kept coming (%d, slowest %.3f s)" % (poll.count, poll.worst))
        check(not answers, "no search finished by itself: %s" % answers)

        check(n.ok("work_cancel", hash=ROOT_A) == {"success": ""}, "work_cancel answers success")
        for t in threads[:3]:
            t.join(10)
        check(len(answers) == 3 and all(answers[i][1].get("error") ==
                                        "Work generation cancellation or failure"
                                        for i in range(3)),
              "work_cancel ended the three searches of its root: %s" % answers)
        n.ok("work_cancel", hash=ROOT_B)
        for t in threads[3:]:
            t.join(10)
        check(len(answers) == 6, "work_cancel ended the other three: %s" % answers)
        # the pool is free again: a normal work_generate succeeds
        w = n.ok("work_generate", hash=ROOT_A)
        check(len(w["work"]) == 16, "work_generate works after the cancels: %s" % w)

        rpc = rpc_proc(n)
        check(rpc["restarts"] == 0 and rpc["pid"] == pid0,
              "rpc never restarted (heartbeats never stalled): %s" % rpc)
        n.stop()


run(main)
