"""A crash-looping rpc does not stop the node: rpc is killed with SIGKILL
8 times in a row (more than max_restarts = 3). Meanwhile the node stays up,
the ledger, net, elections, bootstrap and vm keep their pids, and node
status reports rpc as "failing" without a pid. Once rpc is back, a send
made through the RPC is confirmed by the elections process that ran all
along.

usage: test_rpc_crash_loop.py SMALLNANOD
"""
import os
import signal
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "integration"))
from nodeutil import NAMES, call  # noqa: E402
from test_node_util import DevNode, check, run  # noqa: E402

SMN = 10 ** 30
KILLS = 8
CONFIG = """[rpc]
auto_receive = false
[supervisor]
max_restarts = 3
max_restart_window_s = 30
restart_backoff_ms = 50
restart_backoff_max_ms = 400
"""


def raw_status(n):
    return {p["name"]: p for p in call(n.sock("control"), "node_status")["processes"]}


def main():
    with DevNode(sys.argv[1], config=CONFIG) as n:
        demo, genesis = n.demo()
        dest = n.ok("key_create")["account"]

        def send():
            return n.ok("send", wallet=demo, source=genesis, destination=dest,
                        amount=str(SMN))["block"]

        n.wait_confirmed([send()])
        before = raw_status(n)
        kept = {name: before[name]["pid"] for name in NAMES if name != "rpc"}
        states = []
        killed = set()
        t0 = time.time()
        while len(killed) < KILLS:
            check(n.proc.poll() is None, "smallnanod exited with %r after %d kills of rpc\n%s"
                  % (n.proc.returncode, len(killed), n.read_log()))
            check(time.time() - t0 < 40, "rpc not restarted in time: %d kills\n%s"
                  % (len(killed), n.read_log()))
            procs = raw_status(n)
            rpc = procs["rpc"]
            states.append(rpc["state"])
            if rpc["state"] in ("backoff", "failing"):
                check("pid" not in rpc, "rpc in %s reports a pid: %r" % (rpc["state"], rpc))
                check("retry_in_ms" in rpc and rpc.get("last_exit") == "was killed by signal 9 "
                      "(Killed)", "rpc in backoff without retry_in_ms/last_exit: %r" % rpc)
            pid = rpc.get("pid")
            if pid and pid not in killed:
                try:
                    os.kill(pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
                killed.add(pid)
            time.sleep(0.01)
        # Right after the last kill rpc is failing, and the rest runs on.
        deadline = time.time() + 5
        while raw_status(n)["rpc"]["state"] != "failing" and time.time() < deadline:
            time.sleep(0.01)
        procs = raw_status(n)
        check(procs["rpc"]["state"] == "failing", "rpc after %d kills: %r" % (KILLS, procs["rpc"]))
        check(procs["rpc"]["restarts"] >= KILLS, "restarts: %r" % procs["rpc"])
        for name, pid in kept.items():
            check(procs[name].get("pid") == pid and procs[name]["state"] == "running",
                  "%s changed while rpc crash-looped: %r (was pid %d)" % (name, procs[name], pid))
        check("failing" in states, "rpc was never reported failing: %r" % states[-20:])
        log = n.read_log()
        check("rpc failed 4 times in a row" in log, "no failing line for rpc\n" + log[-3000:])
        check("giving up" not in log and "stopping:" not in log, "the node gave up\n" + log)

        # rpc comes back on its own; the blocks it takes are confirmed.
        t1 = time.time()
        n.wait_ready(timeout=20)
        n.wait_rpc(timeout=20)
        back = time.time() - t1
        h = send()
        took = n.wait_confirmed([h], timeout=15)
        procs = raw_status(n)
        for name, pid in kept.items():
            check(procs[name].get("pid") == pid, "%s restarted: %r" % (name, procs[name]))
        n.stop()
        print("ok: %d kills of rpc, reported failing, other pids kept; rpc back after %.2f s, "
              "a send confirmed %.0f ms later" % (KILLS, back, took * 1000))


if __name__ == "__main__":
    run(main)
