"""Safe answers on a real dev node: `send` with an `id` pays once, across a
restart of the rpc process and of the whole node; balances and receivables
count only cemented blocks unless include_only_confirmed is false; blocks
carry the time this node stored them; `--config section.key=value`
overrides one key; bootstrap_any and stop reach their processes.
"""
import os
import signal
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from test_node_util import DevNode, check, run  # noqa: E402

SMN = 10 ** 30
CONFIG = """
[rpc]
auto_receive = false
"""


def main():
    t0 = int(time.time())
    with DevNode(sys.argv[1], config=CONFIG) as n:
        demo, genesis = n.demo()
        dest = n.ok("account_create", wallet=demo)["account"]
        req = dict(wallet=demo, source=genesis, destination=dest, amount=str(SMN), id="pay-1")
        first = n.ok("send", **req)["block"]
        count0 = n.ok("block_count")["count"]
        check(n.ok("send", **req)["block"] == first, "same id, same block")
        n.wait_confirmed([first])
        # an exchange sees it once it is cemented (default), and not twice
        bal = n.ok("account_balance", account=dest)
        check(bal["receivable"] == str(SMN), "cemented send receivable: %s" % bal)
        info = n.ok("block_info", hash=first)
        ts = int(info["local_timestamp"])
        check(t0 - 5 <= ts <= int(time.time()) + 5, "local_timestamp %d (now %d)" % (ts, t0))

        # rpc restarts (killed: nothing gets flushed on the way out)
        rpc_pid = [p for p in n.status() if p["name"] == "rpc"][0]["pid"]
        os.kill(rpc_pid, signal.SIGKILL)
        n.wait_ready(exclude_pids={rpc_pid})
        n.wait_for(lambda: n.call("version")[0] == 200, "rpc back", timeout=20)
        check(n.ok("send", **req)["block"] == first, "same block after an rpc restart")

        # the whole node restarts
        n.stop()
        n.start_ready()
        check(n.ok("send", **req)["block"] == first, "same block after a node restart")
        check(n.ok("block_count")["count"] == count0, "no second block was made")
        bal = n.ok("account_balance", account=dest, include_only_confirmed=False)
        check(bal["receivable"] == str(SMN), "paid once: %s" % bal)

        # a new id pays again; until it is cemented only the unconfirmed view shows it
        second = n.ok("send", **dict(req, id="pay-2"))["block"]
        check(second != first, "another id, another block")
        n.wait_confirmed([second])
        bal = n.ok("account_balance", account=dest)
        check(bal["receivable"] == str(2 * SMN), "both sends: %s" % bal)
        check(n.err("send", **dict(req, id="")).startswith("Bad id"), "empty id refused")
        check(n.err("search_receivable", wallet=demo) == "Auto-receive is off ([rpc] auto_receive)",
              "search_receivable with auto-receive off")
        # bootstrap_any asks the bootstrap process for a round now
        r = n.ok("bootstrap_any")
        check(r["success"] == "" and r["started"] in ("0", "1"), "bootstrap_any: %s" % r)
        # Nano's stop: the whole node stops cleanly
        check(n.ok("stop") == {"success": ""}, "stop answered")
        check(n.wait_exit(30) == 0, "the node exited after stop:\n" + n.read_log()[-3000:])
        n.check_log()

    # Nano-style single-key overrides: --config section.key=value
    with DevNode(sys.argv[1], config=CONFIG,
                 extra_args=["--config", "rpc.enable_control=false"]) as n:
        check(n.err("wallet_list") == "RPC control is disabled",
              "--config rpc.enable_control=false took effect")
        n.stop()
    p = subprocess.run([sys.argv[1], "--network", "dev", "--data-dir", "/nonexistent/x",
                        "--config", "rpc.no_such_key=1"], capture_output=True, text=True,
                       timeout=30)
    check(p.returncode == 2 and "no_such_key" in p.stderr,
          "a bad override stops the node: %s %r" % (p.returncode, p.stderr))


if __name__ == "__main__":
    run(main)
