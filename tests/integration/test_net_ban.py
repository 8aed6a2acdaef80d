"""A flooding peer is banned for [net] ban_s; an honest peer keeps peering.

Loopback is exempt from bans (a one-host devnet shares 127.0.0.1), so node
A runs with `[net] ban_loopback = true` (documented as for testing) and
ban_s = 5, and the flooder (this script, tests/integration/p2p.py) dials A
from a second loopback address, 127.0.0.2, so the ban it earns is its
address's alone. Honest node B peers with A from 127.0.0.1.

1. The flooder completes the handshake (A lists it as a peer), then sends
   300 frontier_req at once: 20 pass the per-peer gate, 100 more are
   tolerated as excess, the rest make it a flood: A closes the channel,
   logs the ban and counts one banned address.
2. While banned, every new connection from 127.0.0.2 is closed before the
   handshake completes (tried every 250 ms); a peer from 127.0.0.3
   handshakes meanwhile (the ban is per address, not loopback-wide).
3. The ban ends after ban_s (between ban_s - 1 and ban_s + 2 seconds after
   it was set, at one-second resolution): the flooder handshakes again and
   A counts no banned address.
Throughout, B stays a ready peer of A and A's net process is never
restarted.
4. B keeps the loopback exemption (the default): a flooder from 127.0.0.4
   is disconnected, not banned, but its next channel gets no fresh burst
   (20 frontier_req at once: at most 3 answered, against 20 before the
   flood and for a newcomer from 127.0.0.5).

usage: test_net_ban.py SMALLNANOD
"""
import contextlib
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import p2p  # noqa: E402
from nodeutil import fail  # noqa: E402
from test_devnet_three import DevNode, wait_for  # noqa: E402

BAN_S = 5
A_CONFIG = "[net]\nban_s = %d\nban_loopback = true\n" % BAN_S


def child_pid(node, name):
    return {p["name"]: p["pid"] for p in node.status()}[name]


def peer_ids(node):
    return {bytes(p["node_id"]) for p in node.peers()["peers"]}


def try_handshake(port, source):
    """The connected Peer, or None when A closed it before the handshake."""
    try:
        return p2p.Peer(port, source=source, timeout=3.0).handshake()
    except (p2p.HandshakeError, OSError):
        return None


def main():
    if len(sys.argv) != 2:
        fail("usage: test_net_ban.py SMALLNANOD")
    smallnanod = sys.argv[1]
    with contextlib.ExitStack() as stack:
        a = stack.enter_context(DevNode(smallnanod, 1, elections=A_CONFIG))
        a.wait_ready(timeout=60)
        b = stack.enter_context(DevNode(smallnanod, 2, [a.peer_port]))
        b.wait_ready(timeout=60)
        b_id = bytes(b.peers()["node_id"])
        wait_for("B a ready peer of A", lambda: b_id in peer_ids(a), 20, [a, b], step=0.05)
        a_net = child_pid(a, "net")
        if "ban_loopback is on" not in a.read_log():
            fail("A did not log that ban_loopback is on")

        def b_still_peer():
            if b_id not in peer_ids(a):
                fail("B is no longer a peer of A:\n" + a.read_log()[-3000:])

        # ---- 1: handshake, then a frontier_req flood ----
        flooder = try_handshake(a.peer_port, "127.0.0.2")
        if flooder is None:
            fail("the flooder could not handshake before flooding:\n" + a.read_log()[-3000:])
        stack.callback(flooder.close)
        wait_for("A lists the flooder as a peer",
                 lambda: flooder.key.public in peer_ids(a), 10, [a], step=0.05)
        flooder.send(b"".join(p2p.frontier_req() for _ in range(300)))
        if not flooder.closed.wait(10):
            fail("A did not close the flooding channel within 10 s")
        t_closed = time.time()
        wait_for("A logs the ban", lambda: "banning 127.0.0.2" in a.read_log(), 5, [a])
        line = [l for l in a.read_log().splitlines() if "banning 127.0.0.2" in l][0]
        print("A: %s" % line.strip())
        if "for %d s" % BAN_S not in line or "frontier_req" not in line:
            fail("the ban line names neither ban_s nor frontier_req: %s" % line)
        st = a.peers()
        if st["banned"] != 1 or st["throttled"] < 100:
            fail("A counts %d banned, %d throttled (expected 1, >= 100)"
                 % (st["banned"], st["throttled"]))
        answered = flooder.received.get(p2p.FRONTIER_RESP, 0)
        print("flooder: %d frontier answers for 300 requests before the ban" % answered)
        if answered > 20 + 1:
            fail("A answered %d frontier_req, beyond the gate's burst of 20" % answered)
        b_still_peer()

        # ---- 2: refused while banned, other addresses still welcome ----
        other = try_handshake(a.peer_port, "127.0.0.3")
        if other is None:
            fail("127.0.0.3 was refused: the ban is not per address")
        other.close()
        refused, t_back = 0, None
        while time.time() < t_closed + BAN_S + 3:
            p = try_handshake(a.peer_port, "127.0.0.2")
            if p is not None:
                t_back = time.time()
                stack.callback(p.close)
                break
            refused += 1
            b_still_peer()
            time.sleep(0.25)
        if t_back is None:
            fail("the flooder was still refused %d s after its ban of %d s" % (BAN_S + 3, BAN_S))
        held = t_back - t_closed
        print("banned address refused %d times; handshakes again %.2f s after the ban "
              "(ban_s = %d)" % (refused, held, BAN_S))
        if held < BAN_S - 1.5:
            fail("the ban lasted %.2f s, expected about %d s" % (held, BAN_S))
        if refused < 8:
            fail("only %d refused attempts during the ban" % refused)

        # ---- 4: loopback exempt on B: no ban, but no fresh burst ----
        def burst_answers(src):
            p = try_handshake(b.peer_port, src)
            if p is None:
                fail("%s could not handshake with B:\n%s" % (src, b.read_log()[-3000:]))
            stack.callback(p.close)
            p.send(b"".join(p2p.frontier_req() for _ in range(20)))
            time.sleep(1.0)
            return p, p.received.get(p2p.FRONTIER_RESP, 0)
        p4, before = burst_answers("127.0.0.4")
        p4.send(b"".join(p2p.frontier_req() for _ in range(300)))
        if not p4.closed.wait(10):
            fail("B did not disconnect the flooder from 127.0.0.4")
        wait_for("B logs the disconnect", lambda: "loopback is not banned" in b.read_log(), 5, [b])
        _, after = burst_answers("127.0.0.4")
        _, newcomer = burst_answers("127.0.0.5")
        print("B answered 20 frontier_req at once: %d before the flood, %d after it (same "
              "address), %d for a newcomer" % (before, after, newcomer))
        if before < 15 or newcomer < 15:
            fail("an honest burst of 20 frontier_req was not answered")
        if after > 3:
            fail("the disconnected flooder got a fresh burst: %d answers" % after)
        if b.peers()["banned"] != 0:
            fail("B banned a loopback address")

        # ---- 3: after the ban ----
        wait_for("A counts no banned address", lambda: a.peers()["banned"] == 0, 3, [a])
        b_still_peer()
        if child_pid(a, "net") != a_net or a.proc.poll() is not None:
            fail("A's net process was restarted")
    print("ok")


if __name__ == "__main__":
    main()
