"""Confirmation latency on a one-host dev node: the time from an HTTP
`process` of a send to the ledger's `block_cemented` notification for it.

Node B (a second dev node with the same genesis) signs a chain of N sends
from the genesis account beforehand; node A, the one measured, has never
seen them. For each send in turn: POST `process` to A's RPC (t0), the
answer comes once the ledger committed it (ack), and the block_cemented
notification arrives on a subscription to A's ledger socket (confirmed).
One send at a time, so each figure is one block's full path:
rpc -> ledger (validate, commit) -> elections (vote, quorum, final vote)
-> ledger (cement) -> notification.

usage: python3 tests/bench/rpc/bench_confirm.py BUILD/supervisor/smallnanod [N]
(a benchmark, never registered as a test; use a release build)
"""
import os
import struct
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "integration"))
import nodeutil  # noqa: E402
from test_node_util import DevNode  # noqa: E402

CONFIG = "[rpc]\nauto_receive = false\n"


class Subscription(nodeutil.Client):
    """A ledger subscription: block_cemented hashes as they come."""

    def __init__(self, path):
        super().__init__(path, timeout=10.0)
        self.request("subscribe")

    def next_cemented(self):
        while True:
            (n,) = struct.unpack(">I", self._read(4))
            msg, _ = nodeutil.mp_unpack(self._read(n))
            if msg.get("kind") == "block_cemented":
                return bytes(msg["hash"]).hex().upper()


def pct(xs, p):
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(len(xs) * p / 100))]


def main():
    smallnanod = sys.argv[1]
    n = int(sys.argv[2]) if len(sys.argv) > 2 else 500
    with DevNode(smallnanod, config=CONFIG) as a, DevNode(smallnanod, config=CONFIG) as b:
        demo, genesis = b.demo()
        dest = b.ok("key_create")["account"]
        t = time.time()
        blocks = []
        for _ in range(n):
            h = b.ok("send", wallet=demo, source=genesis, destination=dest, amount="1")["block"]
            blocks.append((h, b.ok("block_info", hash=h, json_block=True)["contents"]))
        print("signed %d sends on node B in %.1f s" % (n, time.time() - t))

        sub = Subscription(a.sock("ledger"))
        ack, conf = [], []
        t_all = time.time()
        for h, contents in blocks:
            t0 = time.perf_counter()
            got = a.ok("process", block=contents)["hash"]
            t1 = time.perf_counter()
            assert got == h, (got, h)
            while sub.next_cemented() != h:
                pass
            t2 = time.perf_counter()
            ack.append((t1 - t0) * 1000)
            conf.append((t2 - t0) * 1000)
        wall = time.time() - t_all
        sub.close()
        assert a.confirmed(blocks[-1][0])
        print("process -> answer (committed):   p50 %.2f ms  p99 %.2f ms  max %.2f ms"
              % (pct(ack, 50), pct(ack, 99), max(ack)))
        print("process -> block_cemented:       p50 %.2f ms  p99 %.2f ms  max %.2f ms"
              % (pct(conf, 50), pct(conf, 99), max(conf)))
        print("%d sends, one at a time, in %.2f s (%.0f confirmations/s)"
              % (n, wall, n / wall))


if __name__ == "__main__":
    main()
