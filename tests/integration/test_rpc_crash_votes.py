"""A crash-looping rpc does not stop a representative from voting (issue
10). Two-node devnet: node A holds the only representative (all the
weight), node B holds none, so B can cement a block only with A's votes,
which come over the network from A's elections process.

A's rpc child is SIGKILLed each time it comes back (found by pid through
A's control socket node_status), well past max_restarts = 3, so it is
"failing" for the rest of the test. Meanwhile sends made through B's RPC
must each be cemented on B, while A's rpc is still being killed; the votes
B counts from the network must grow; A's smallnanod must stay up and its
elections, net and ledger keep their pids; A's log reports rpc failing and
never gives up.

The supervisors wait 60 s for a heartbeat (not the default 5 s): the
sanitizer build on a loaded machine must not get a slow child killed
mid-test, and a frozen child must stay frozen.

--stop-elections (a check that this test can fail, not run by meson):
SIGSTOP A's elections child before the sends (SIGCONT in cleanup). No
send can be cemented on B then, and the test fails.

usage: test_rpc_crash_votes.py SMALLNANOD [--stop-elections]
"""
import os
import signal
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import devnet_blocks as blocks  # noqa: E402
from devnet import Devnet, DevnetError, wait_for  # noqa: E402
from nodeutil import call, fail  # noqa: E402

MAX_RESTARTS = 3
SENDS = 5
CONFIRM_S = 20
EXTRA = """[supervisor]
max_restarts = %d
max_restart_window_s = 30
""" % MAX_RESTARTS


class RpcKiller(threading.Thread):
    """Polls A's node_status and SIGKILLs every rpc pid it sees; remembers
    how many it killed and the states rpc was reported in."""

    def __init__(self, node):
        super().__init__(daemon=True)
        self.node = node
        self.halt = threading.Event()
        self.killed = set()
        self.states = []
        self.error = None

    def rpc_status(self):
        procs = call(self.node.sock("control"), "node_status", timeout=5.0)["processes"]
        return {p["name"]: p for p in procs}["rpc"]

    def run(self):
        try:
            while not self.halt.is_set():
                if not self.node.running():
                    self.error = "node A's smallnanod exited with %r" % self.node.proc.returncode
                    return
                rpc = self.rpc_status()
                self.states.append(rpc["state"])
                pid = rpc.get("pid")
                if pid and pid not in self.killed:
                    try:
                        os.kill(pid, signal.SIGKILL)
                    except ProcessLookupError:
                        pass
                    self.killed.add(pid)
                time.sleep(0.01)
        except Exception as e:  # noqa: BLE001 - reported by the main thread
            self.error = repr(e)


def main():
    args = sys.argv[1:]
    stop_elections = "--stop-elections" in args
    args = [a for a in args if a != "--stop-elections"]
    if len(args) != 1:
        fail("usage: test_rpc_crash_votes.py SMALLNANOD [--stop-elections]")
    killer = None
    frozen = None
    try:
        with Devnet(args[0], nodes=2, reps=1, extra_config=EXTRA, heartbeat_timeout_ms=60000,
                    log=lambda m: print(m, flush=True)) as net:
            a, b = net.nodes
            try:
                w, src, _, opened = net.fund(b, 1000 * blocks.ONE_SMN)
                net.wait_confirmed([opened], 30, what="B's source account open")
                dest = blocks.Key().account
                kept = {k: v for k, v in a.pids().items() if k != "rpc"}
                votes0 = b.peers()["votes_in"]
                cemented0 = int(b.rpc("block_count")["cemented"])

                # ---- A's rpc crash-loops past max_restarts ----
                killer = RpcKiller(a)
                killer.start()
                wait_for("A's rpc killed more than max_restarts times and failing",
                         lambda: killer.error or (len(killer.killed) > MAX_RESTARTS + 1 and
                                                  "failing" in killer.states),
                         20, net.nodes)
                if killer.error:
                    raise DevnetError("killer: %s\n%s" % (killer.error, a.log_tail()))
                kills_before = len(killer.killed)
                states_before = len(killer.states)
                if stop_elections:
                    frozen = kept["elections"]
                    os.kill(frozen, signal.SIGSTOP)
                    print("A's elections (pid %d) stopped: this run must fail" % frozen)

                # ---- sends through B, each cemented on B with A's votes ----
                t0 = time.time()
                down = 0
                for i in range(SENDS):
                    # one more death of A's rpc before each send: the sends
                    # are spread over the crash loop, not squeezed into one gap
                    k = len(killer.killed)
                    wait_for("A's rpc restarted and killed again before send %d" % (i + 1),
                             lambda: killer.error or len(killer.killed) > k, 10, net.nodes)
                    h = b.rpc_ok("send", "block", wallet=w, source=src, destination=dest,
                                 amount=str(1000 + i))
                    wait_for("send %d (%s) cemented on B while A's rpc crash-loops" % (i + 1, h),
                             lambda: killer.error or
                             b.rpc("block_info", hash=h).get("confirmed") == "true",
                             CONFIRM_S, net.nodes)
                    if killer.error:
                        raise DevnetError("killer: %s\n%s" % (killer.error, a.log_tail()))
                    if not killer.is_alive():
                        raise DevnetError("the rpc killer stopped")
                    if a.status_by_name()["rpc"]["pid"] is None:
                        down += 1
                took = time.time() - t0
                kills_after = len(killer.killed)
                state_after = killer.rpc_status()
                killer.halt.set()
                killer.join(10)

                # rpc crash-looped all along: killed again during the sends,
                # its streak never ended (failing, not backoff, after each death)
                if kills_after <= kills_before:
                    raise DevnetError("A's rpc was not killed during the sends (%d kills)"
                                      % kills_after)
                late = killer.states[states_before:]
                if "backoff" in late or "failing" not in late:
                    raise DevnetError("A's rpc states during the sends: %r" % late[-40:])
                if state_after["restarts"] < kills_after - 1:
                    raise DevnetError("A's rpc restarts %r after %d kills"
                                      % (state_after, kills_after))
                procs = a.status_by_name()
                for name, pid in kept.items():
                    if procs[name]["pid"] != pid or procs[name]["state"] != "running":
                        raise DevnetError("A's %s changed while rpc crash-looped: %r (was pid %d)"
                                          % (name, procs[name], pid))
                votes = b.peers()["votes_in"] - votes0
                if votes < SENDS:
                    raise DevnetError("B cemented %d sends with %d votes from the network"
                                      % (SENDS, votes))
                cemented = int(b.rpc("block_count")["cemented"]) - cemented0
                if cemented < SENDS:
                    raise DevnetError("B's cemented count grew by %d, not %d"
                                      % (cemented, SENDS))
                log = a.read_log()
                if "rpc failed" not in log or "giving up" in log or "stopping:" in log:
                    raise DevnetError("A's log while rpc crash-looped:\n" + log[-4000:])
                print("ok: %d sends through B cemented in %.2f s while A's rpc was SIGKILLed "
                      "%d times (%d during the sends; down at %d of the %d confirmations); "
                      "%d votes from A; A's other pids kept"
                      % (SENDS, took, kills_after, kills_after - kills_before, down, SENDS,
                         votes))
            finally:
                if killer:
                    killer.halt.set()
                    killer.join(10)
                if frozen:
                    try:
                        os.kill(frozen, signal.SIGCONT)
                    except ProcessLookupError:
                        pass
    except DevnetError as e:
        fail(str(e))


if __name__ == "__main__":
    main()
