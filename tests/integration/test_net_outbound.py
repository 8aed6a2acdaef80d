"""Outbound dials keep their reserved slots under an inbound flood (issue 10:
"outbound dials are refused too while the slots are full").

Node F runs with max_peers = 12, reserved_outbound = 4 and reserved_reps =
0 (only the outbound reservation is tested), no configured peers. Node D
runs with no peers either. An attacker (this script,
tests/integration/p2p.py) opens from 127.0.0.2 more handshaken
connections than F has slots, keeps each alive with a keepalive a second
and reopens each one F closes, so F's 8 inbound slots stay full. One of
the attacker's keepalives names D's peering endpoint: F learns D and must
dial it into a reserved outbound slot, so D becomes a ready peer of F (F
lists D as outbound, D lists F). F's net process stays the same process.

--reserved-outbound N runs F with reserved_outbound = N instead (a check
that this test can fail, not run by meson): with 0, every slot is the
attacker's and F cannot dial D.

usage: test_net_outbound.py SMALLNANOD [--reserved-outbound N]
"""
import contextlib
import os
import socket
import struct
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import p2p  # noqa: E402
from nodeutil import fail  # noqa: E402
from test_devnet_three import DevNode, wait_for  # noqa: E402
from test_net_reps import ATTACKER, Flood  # noqa: E402

MAX_PEERS = 12
CONFIG = "[net]\nmax_peers = %d\nreserved_outbound = %d\nreserved_reps = 0\n"


def endpoint(host, port):
    """A keepalive entry: IPv4-mapped IPv6 address and port (docs/protocol.md)."""
    return b"\0" * 10 + b"\xff\xff" + socket.inet_aton(host) + struct.pack(">H", port)


def main():
    args = sys.argv[1:]
    reserved = 4
    if len(args) == 3 and args[1] == "--reserved-outbound":
        reserved = int(args[2])
        args = args[:1]
    if len(args) != 1:
        fail("usage: test_net_outbound.py SMALLNANOD [--reserved-outbound N]")
    inbound = MAX_PEERS - reserved
    with contextlib.ExitStack() as stack:
        f = stack.enter_context(DevNode(args[0], 1, elections=CONFIG % (MAX_PEERS, reserved)))
        d = stack.enter_context(DevNode(args[0], 2))
        f.wait_ready(timeout=60)
        d.wait_ready(timeout=60)
        f_net = {p["name"]: p["pid"] for p in f.status()}["net"]
        f_id = bytes(f.peers()["node_id"])

        flood = Flood(f.peer_port, MAX_PEERS + 4)
        flood.start()
        stack.callback(flood.stop)

        def attacker_channels():
            st = f.peers()
            return [p for p in st["peers"] if p["endpoint"].startswith(ATTACKER + ":")]
        wait_for("the attacker holds F's %d inbound slots" % inbound,
                 lambda: len(attacker_channels()) >= inbound, 30, [f], step=0.1)
        print("attacker: %d channels on F, %d opened, %d refused"
              % (len(attacker_channels()), flood.opened, flood.refused))

        # one of the attacker's peers tells F where D listens
        tip = p2p.frame(p2p.KEEPALIVE, endpoint("127.0.0.1", d.peer_port))
        wait_for("an attacker channel takes the keepalive naming D",
                 lambda: any(p.send(tip) for p in list(flood.peers)), 10, [f], step=0.1)

        def d_on_f():
            return [p for p in f.peers()["peers"]
                    if not p["inbound"] and p["endpoint"].endswith(":%d" % d.peer_port)]
        wait_for("F dials D into a reserved outbound slot despite the flood", d_on_f, 30,
                 [f, d], step=0.1)
        wait_for("D lists F as a ready peer",
                 lambda: any(bytes(p["node_id"]) == f_id for p in d.peers()["peers"]), 10,
                 [f, d], step=0.1)
        held = attacker_channels()
        if len(held) < inbound:
            fail("the attacker lost inbound slots (%d of %d): the flood did not hold"
                 % (len(held), inbound))
        if {p["name"]: p["pid"] for p in f.status()}["net"] != f_net:
            fail("F's net process was restarted")
        print("ok: F dialled D (outbound) while the attacker held all %d inbound slots"
              % len(held))


if __name__ == "__main__":
    main()
