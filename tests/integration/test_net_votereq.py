"""Vote requests between two real nodes, driven on their net.sock.

Nodes A and B (B peers with A). The test subscribes to votes on both
net.sock sockets (next to each node's elections process) and plays the
elections side itself:

- request_votes on A naming B: B's net forwards the confirm_req to its
  subscribers as vote_request {pairs, peer: A's node id};
- send_vote on B naming A: A's subscribers get the vote;
- the same vote once more: A has seen it, but it answers the confirm_req A
  sent B, so it is delivered again (votes_redelivered); a seen vote for a
  hash A never asked for is not;
- a burst of 100 request_votes: A sends B at most its budget, the rest is
  counted as dropped, and B throttles none (honest rates fit the limit);
- send_vote naming a node that is not connected is dropped and counted.

Votes are signed here with a small pure-Python Ed25519 (RFC 8032), so the
test needs nothing beyond the standard library.

usage: test_net_votereq.py SMALLNANOD
"""
import contextlib
import hashlib
import os
import socket
import struct
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from nodeutil import Client, fail, mp_pack, mp_unpack  # noqa: E402
from test_devnet_three import DevNode, wait_for  # noqa: E402

# ---------------------------------------------------------------- Ed25519 (RFC 8032)

P = 2**255 - 19
L = 2**252 + 27742317777372353535851937790883648493
D = -121665 * pow(121666, P - 2, P) % P
GY = 4 * pow(5, P - 2, P) % P


def _recover_x(y, sign):
    x2 = (y * y - 1) * pow(D * y * y + 1, P - 2, P) % P
    x = pow(x2, (P + 3) // 8, P)
    if (x * x - x2) % P:
        x = x * pow(2, (P - 1) // 4, P) % P
    if x & 1 != sign:
        x = P - x
    return x


G = (_recover_x(GY, 0), GY, 1, _recover_x(GY, 0) * GY % P)


def _add(p, q):
    a = (p[1] - p[0]) * (q[1] - q[0]) % P
    b = (p[1] + p[0]) * (q[1] + q[0]) % P
    c = 2 * p[3] * q[3] * D % P
    d = 2 * p[2] * q[2] % P
    e, f, g, h = b - a, d - c, d + c, b + a
    return (e * f % P, g * h % P, f * g % P, e * h % P)


def _mul(s, p):
    q = (0, 1, 1, 0)
    while s:
        if s & 1:
            q = _add(q, p)
        p = _add(p, p)
        s >>= 1
    return q


def _enc(p):
    zi = pow(p[2], P - 2, P)
    x, y = p[0] * zi % P, p[1] * zi % P
    return int.to_bytes(y | ((x & 1) << 255), 32, "little")


def ed25519_keypair(seed):
    h = hashlib.sha512(seed).digest()
    a = int.from_bytes(h[:32], "little")
    a &= (1 << 254) - 8
    a |= 1 << 254
    return a, h[32:], _enc(_mul(a, G))


def ed25519_sign(key, msg):
    a, prefix, pub = key
    r = int.from_bytes(hashlib.sha512(prefix + msg).digest(), "little") % L
    rb = _enc(_mul(r, G))
    k = int.from_bytes(hashlib.sha512(rb + pub + msg).digest(), "little") % L
    s = (r + k * a) % L
    return rb + int.to_bytes(s, 32, "little")


def make_vote(key, hashes, timestamp):
    """The wire form of common/vote.h."""
    ts = struct.pack(">Q", timestamp)
    digest = hashlib.blake2b(b"vote " + b"".join(hashes) + ts, digest_size=32).digest()
    return key[2] + ed25519_sign(key, digest) + ts + bytes([len(hashes)]) + b"".join(hashes)


# ---------------------------------------------------------------- net.sock


class Sub(Client):
    """A net.sock connection subscribed to votes; reads notifications."""

    def __init__(self, path):
        super().__init__(path, timeout=5.0)
        self.request("subscribe_votes")

    def notify(self, kind, **fields):
        msg = {"kind": kind}
        msg.update(fields)
        payload = mp_pack(msg)
        self.sock.sendall(struct.pack(">I", len(payload)) + payload)

    def wait_kind(self, kind, pred, timeout):
        """The first notification of that kind for which pred holds; None
        when none came within timeout."""
        deadline = time.time() + timeout
        while time.time() < deadline:
            self.sock.settimeout(max(0.01, deadline - time.time()))
            try:
                (n,) = struct.unpack(">I", self._read(4))
                m, _ = mp_unpack(self._read(n))
            except socket.timeout:
                return None
            if m.get("kind") == kind and pred(m):
                return m
        return None


def counters(node):
    return node.peers()


def main():
    if len(sys.argv) != 2:
        fail("usage: test_net_votereq.py SMALLNANOD")
    smallnanod = sys.argv[1]
    with contextlib.ExitStack() as stack:
        a = stack.enter_context(DevNode(smallnanod, 1))
        b = stack.enter_context(DevNode(smallnanod, 2, [a.peer_port]))
        a.wait_ready(timeout=60)
        b.wait_ready(timeout=60)
        a_id = a.peers()["node_id"]
        b_id = b.peers()["node_id"]
        wait_for("B a ready peer of A",
                 lambda: any(p["node_id"] == b_id for p in a.peers()["peers"]) and
                 any(p["node_id"] == a_id for p in b.peers()["peers"]), 20, [a, b])
        sub_a = Sub(a.sock("net"))
        sub_b = Sub(b.sock("net"))
        stack.callback(sub_a.close)
        stack.callback(sub_b.close)

        h1, r1 = hashlib.blake2b(b"h1", digest_size=32).digest(), b"\x11" * 32
        h2, r2 = hashlib.blake2b(b"h2", digest_size=32).digest(), b"\x22" * 32

        # ---- A asks B: B's subscribers get vote_request from A ----
        t0 = time.time()
        sub_a.notify("request_votes", pairs=[{"hash": h1, "root": r1}], peer=b_id)
        m = sub_b.wait_kind("vote_request", lambda m: m["peer"] == a_id and
                            any(p["hash"] == h1 for p in m["pairs"]), 5.0)
        if not m:
            fail("B's subscriber got no vote_request for h1 from A")
        if m["pairs"] != [{"hash": h1, "root": r1}]:
            fail("vote_request pairs: %r" % m["pairs"])
        print("request_votes on A -> vote_request on B in %.1f ms" % ((time.time() - t0) * 1e3))

        # ---- B answers A only ----
        # The dev genesis key: net only verifies and relays the votes of the
        # principal representatives elections lists, and on dev that is it.
        rep = ed25519_keypair(bytes.fromhex(
            "F9C9E3974A7AAFCC6B85584351865C7EF5D56088827C1974A90733368D771922"))
        v1 = make_vote(rep, [h1], 1)
        sub_b.notify("send_vote", vote=v1, peer=a_id)
        if not sub_a.wait_kind("vote", lambda m: m["vote"] == v1, 5.0):
            fail("A's subscriber did not get B's answer")
        # The same vote again: seen, but an answer to what A asked B.
        sub_b.notify("send_vote", vote=v1, peer=a_id)
        if not sub_a.wait_kind("vote", lambda m: m["vote"] == v1, 5.0):
            fail("a seen vote answering A's confirm_req was not re-delivered")
        ca = counters(a)
        if ca.get("votes_redelivered") != 1:
            fail("A votes_redelivered = %r, expected 1" % ca.get("votes_redelivered"))
        # A vote for a hash A never asked for: delivered once, not twice.
        v2 = make_vote(rep, [h2], 2)
        sub_b.notify("send_vote", vote=v2, peer=a_id)
        if not sub_a.wait_kind("vote", lambda m: m["vote"] == v2, 5.0):
            fail("A's subscriber did not get v2")
        sub_b.notify("send_vote", vote=v2, peer=a_id)
        if sub_a.wait_kind("vote", lambda m: m["vote"] == v2, 1.0):
            fail("a seen vote for a hash A never asked for was delivered again")
        if counters(a).get("votes_redelivered") != 1:
            fail("A re-delivered a vote it did not ask for")

        # ---- a burst: A's outbound budget holds, B throttles nothing ----
        before_out = counters(a)["vote_reqs_out"]
        before_drop = counters(a)["vote_reqs_dropped"]
        pairs = [{"hash": hashlib.blake2b(bytes([i]), digest_size=32).digest(), "root": r2}
                 for i in range(12)]
        for _ in range(100):
            sub_a.notify("request_votes", pairs=pairs, peer=b_id)
        wait_for("A handled the burst",
                 lambda: counters(a)["vote_reqs_out"] + counters(a)["vote_reqs_dropped"] -
                 before_out - before_drop >= 100, 10, [a, b])
        ca = counters(a)
        sent = ca["vote_reqs_out"] - before_out
        dropped = ca["vote_reqs_dropped"] - before_drop
        # 240 pairs of burst (less the 1 pair already asked) plus refill
        # while the burst was being read: well under 100 requests.
        if not (15 <= sent <= 35) or sent + dropped != 100:
            fail("burst of 100 requests: %d sent, %d dropped" % (sent, dropped))
        wait_for("B received the burst", lambda: counters(b)["vote_reqs_in"] >= 1 + sent, 10,
                 [a, b])
        cb = counters(b)
        if cb["vote_reqs_throttled"] != 0:
            fail("B throttled %d requests from an honest A" % cb["vote_reqs_throttled"])
        print("burst of 100 request_votes: %d sent, %d dropped, B throttled %d"
              % (sent, dropped, cb["vote_reqs_throttled"]))

        # ---- answers to a node that is not connected are dropped ----
        before = cb["vote_answers_dropped"]
        sub_b.notify("send_vote", vote=v1, peer=b"\x01" * 32)
        wait_for("send_vote to an absent peer counted",
                 lambda: counters(b)["vote_answers_dropped"] == before + 1, 5, [a, b])
        if counters(b)["vote_answers_out"] < 3:
            fail("B answers sent: %r" % counters(b)["vote_answers_out"])
        # Both nodes are still up and peered.
        if not any(p["node_id"] == b_id for p in a.peers()["peers"]):
            fail("B is no longer a peer of A")
    print("ok")


if __name__ == "__main__":
    main()
