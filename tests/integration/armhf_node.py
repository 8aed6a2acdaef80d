"""A one-host dev node built for armhf runs under user-mode emulation
(issue 19; run by .ci/armhf, not a meson test): smallnanod under
qemu-arm -L SYSROOT, its children too through [supervisor] exec_wrapper
(qemu-user follows exec only through binfmt_misc). It gets ready,
confirms a send and its receive through the RPC, reports its idle memory,
and stops cleanly on SIGTERM (every child exits with status 0).

usage: armhf_node.py SMALLNANOD SYSROOT   (SMALLNANOD: the armhf build's)
       armhf_node.py SMALLNANOD           (a native build: the same run, for comparison)
"""
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from nodeutil import NAMES, vm_rss_kib  # noqa: E402
from test_node_util import DevNode, check, run  # noqa: E402

SMN = 10 ** 30
IDLE_S = 10  # settle after the send before reading memory


def rss_kib(pid):
    """VmRSS of pid in KiB (under qemu-arm: the guest's and the emulator's)."""
    kib = vm_rss_kib(pid)
    check(kib > 0, "no VmRSS for pid %d" % pid)
    return kib


def main():
    smallnanod = sys.argv[1]
    qemu = ["qemu-arm", "-L", sys.argv[2]] if len(sys.argv) > 2 else []
    where = "under qemu-arm" if qemu else "natively"
    # ws off: it stays idle (this sysroot's libwebsockets does not load its
    # libuv plugin under emulation; the WebSocket server is not what runs here).
    conf = ("[supervisor]\nexec_wrapper = %s\n[rpc]\nauto_receive = false\n[ws]\nenable = false\n"
            % " ".join("'%s'" % w for w in qemu))
    n = DevNode(smallnanod, config=conf, prefix=qemu)
    try:
        t0 = time.time()
        n.start()
        procs = n.wait_ready(timeout=180)
        n.wait_rpc(timeout=60)
        print("armhf: ready %s in %.1f s" % (where, time.time() - t0))
        check(("children run through" in n.read_log()) == bool(qemu),
              "the supervisor used the exec wrapper")
        demo, genesis = n.demo()
        wallet = n.ok("wallet_create")["wallet"]
        acc = n.ok("account_create", wallet=wallet)["account"]
        send = n.ok("send", wallet=demo, source=genesis, destination=acc,
                    amount=str(5 * SMN))["block"]
        n.wait_confirmed([send], timeout=120)
        recv = n.ok("receive", wallet=wallet, account=acc, block=send)["block"]
        n.wait_confirmed([recv], timeout=120)
        check(n.ok("account_balance", account=acc)["balance"] == str(5 * SMN), "received 5 smn")
        check(n.ok("account_balance", account=genesis)["balance"] == str(9_999_995 * SMN),
              "genesis paid 5 smn")
        print("armhf: send %s... and its receive confirmed" % send[:16])
        time.sleep(IDLE_S)
        procs = n.wait_ready(timeout=30)
        kids = {name: rss_kib(procs[name]["pid"]) for name in NAMES}
        sup = rss_kib(n.proc.pid)
        print("armhf: idle RSS %s: children %d KiB (%s), supervisor %d KiB"
              % (where, sum(kids.values()), ", ".join("%s %d" % (k, v) for k, v in kids.items()),
                 sup))
        n.stop(timeout=120)
        print("armhf: stopped cleanly")
    finally:
        n.cleanup()


if __name__ == "__main__":
    run(main)
