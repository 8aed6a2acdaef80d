"""Argon2id never stops the rpc process (real node on loopback).

With new-password limits that take seconds ([rpc] wallet_kdf_ops /
wallet_kdf_mem_kib) and heartbeats every 200 ms (1 s timeout: a stalled
loop gets rpc killed):
1. wallet_create, password_change and password_enter (right and wrong
   password) each take over a second, while other requests keep being
   answered within half a second;
2. with kdf_queue_max = 2, a third derivation at once is refused with
   "Key derivation queue full", and the two others still answer;
3. rpc was never restarted (same pid); no sanitizer report in the log.
"""
import os
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from test_node_util import DevNode, check, run  # noqa: E402

CONFIG = """
[rpc]
wallet_kdf_ops = 12
wallet_kdf_mem_kib = 262144
kdf_threads = 1
kdf_queue_max = 2
[supervisor]
heartbeat_interval_ms = 200
heartbeat_timeout_ms = 1000
"""
SLOW = 1.0  # seconds a derivation must take for the test to mean anything


class Poller(threading.Thread):
    """Calls cheap actions in a loop; records the slowest answer."""

    def __init__(self, n):
        super().__init__(daemon=True)
        self.n = n
        self.stop = threading.Event()
        self.worst = 0.0
        self.count = 0
        self.errors = []

    def run(self):
        while not self.stop.is_set():
            for action in ("block_count", "version"):
                t0 = time.time()
                try:
                    st, r = self.n.call(action, timeout=5.0)
                    if st != 200 or "error" in r:
                        self.errors.append((action, st, r))
                except Exception as e:  # noqa: BLE001
                    self.errors.append((action, repr(e)))
                self.worst = max(self.worst, time.time() - t0)
                self.count += 1
            time.sleep(0.02)


def rpc_proc(n):
    return {p["name"]: p for p in n.status()}["rpc"]


def timed(n, what, action, **fields):
    """Runs one slow action with a poller beside it; (answer, seconds)."""
    poll = Poller(n)
    poll.start()
    t0 = time.time()
    st, r = n.call(action, timeout=60.0, **fields)
    took = time.time() - t0
    time.sleep(0.2)
    poll.stop.set()
    poll.join()
    print("%s: %.2f s; %d other answers meanwhile, slowest %.3f s"
          % (what, took, poll.count, poll.worst))
    check(st == 200, "%s answered 200: %s %s" % (what, st, r))
    check(took >= SLOW, "%s took over %.1f s (Argon2 at the configured limits): %.2f s"
          % (what, SLOW, took))
    check(not poll.errors, "other requests failed during %s: %s" % (what, poll.errors[:3]))
    check(poll.count >= 10, "other requests were answered during %s (%d)" % (what, poll.count))
    check(poll.worst < 0.5, "no other answer took half a second during %s (%.3f s)"
          % (what, poll.worst))
    return r, took


def main():
    with DevNode(sys.argv[1], config=CONFIG) as n:
        pid0 = rpc_proc(n)["pid"]

        # 1. every action that runs Argon2id
        r, _ = timed(n, "wallet_create", "wallet_create")
        wallet = r["wallet"]
        r, _ = timed(n, "password_change", "password_change", wallet=wallet, password="hunter2")
        check(r == {"changed": "1"}, "password_change: %s" % r)
        r, _ = timed(n, "password_enter (wrong)", "password_enter", wallet=wallet, password="nope")
        check(r == {"valid": "0"}, "a wrong password answers valid 0: %s" % r)
        r, _ = timed(n, "password_enter", "password_enter", wallet=wallet, password="hunter2")
        check(r == {"valid": "1"}, "the right password answers valid 1: %s" % r)
        acct = n.ok("account_create", wallet=wallet)["account"]
        check(acct.startswith("smn_"), "the unlocked wallet derives accounts: %s" % acct)

        # 2. the bound: two derivations at once, a third refused
        answers = {}

        def enter(i):
            answers[i] = n.call("password_enter", timeout=60.0, wallet=wallet,
                                password="hunter2")

        threads = [threading.Thread(target=enter, args=(i,), daemon=True) for i in range(2)]
        for t in threads:
            t.start()
        time.sleep(0.3)  # both are in the pool (each takes over a second)
        st, third = n.call("password_enter", timeout=5.0, wallet=wallet, password="hunter2")
        check(st == 503 and third.get("error") == "Key derivation queue full, retry later",
              "a third derivation at once is refused: %s %s" % (st, third))
        for t in threads:
            t.join(30)
        check(answers == {0: (200, {"valid": "1"}), 1: (200, {"valid": "1"})},
              "the two queued derivations answered: %s" % answers)

        rpc = rpc_proc(n)
        check(rpc["restarts"] == 0 and rpc["pid"] == pid0,
              "rpc never restarted (heartbeats never stalled): %s" % rpc)
        n.stop()


run(main)
