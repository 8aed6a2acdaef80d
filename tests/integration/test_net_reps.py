"""Reserved representative slots: a flood of idle peers from one address
cannot keep a representative from peering (issue 10).

A two-node devnet: F (node 1, the flooded one, holding 10 % of the weight)
and R (node 2, a representative with 90 %), so F can cement a block only
with R's votes. Both run with max_peers = 12, reserved_outbound = 0 (so F
cannot reach R by dialling it: only the inbound reserved slots are tested)
and reserved_reps = 4. R dials F (its configured peer); F dials nobody
it is configured with.

1. R is stopped. An attacker (this script, tests/integration/p2p.py) opens
   from 127.0.0.2 more handshaken connections than F has slots, keeps each
   alive with a keepalive a second and reopens each one F closes. F must
   fill its 8 ordinary slots with them; the attacker gets at most 2
   reserved slots (per address), each closed for want of a representative's
   vote within 5 s (F's reps_unproven counter grows), after which its
   address gets no reserved slot for 60 s (`ban_loopback` makes F treat
   loopback as it would a remote address).
2. R starts again and dials F from 127.0.0.1: it must become a ready peer
   of F in a reserved slot, proven (F's reps_proven grows), while the
   attacker still holds every ordinary slot and has had no reserved slot
   since its two failed proofs. F's rpc `stats` (peering: reserved,
   reps_proven, reps_unproven, outbound) and /metrics
   (smallnano_net_reserved_peers, _reserved_slot_probes_total) show them.
3. A send made on F must be cemented on F (with R's votes over that
   channel).

F's net process stays the same process throughout.

--reserved-reps N runs F and R with reserved_reps = N instead (a check that
this test can fail, not run by meson): with 0, R never peers with F and
step 2 fails.

usage: test_net_reps.py SMALLNANOD [--reserved-reps N]
"""
import os
import re
import sys
import threading
import time
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import devnet_blocks as blocks  # noqa: E402
import p2p  # noqa: E402
from devnet import Devnet, DevnetError, wait_for  # noqa: E402
from nodeutil import fail  # noqa: E402

MAX_PEERS = 12
RESERVED = 4
ORDINARY = MAX_PEERS - RESERVED
ATTACKER = "127.0.0.2"
# ban_loopback (documented as for testing): loopback addresses are treated
# as remote ones, so the attacker's failed proofs lock its address out of
# the reserved slots as they would off loopback
CONFIG = ("[net]\nmax_peers = %d\nreserved_outbound = 0\nreserved_reps = %d\n"
          "ban_loopback = true\n")


class Flood(threading.Thread):
    """`n` handshaken, idle-but-alive connections from ATTACKER to port."""

    def __init__(self, port, n):
        super().__init__(daemon=True)
        self.port = port
        self.n = n
        self.peers = []
        self.halt = threading.Event()
        self.opened = 0
        self.refused = 0

    def run(self):
        keepalive = p2p.frame(p2p.KEEPALIVE)  # no endpoints: "still here"
        last_ka = 0.0
        while not self.halt.is_set():
            for p in [p for p in self.peers if p.closed.is_set()]:
                p.close()
                self.peers.remove(p)
            while len(self.peers) < self.n and not self.halt.is_set():
                try:
                    self.peers.append(p2p.Peer(self.port, source=ATTACKER, timeout=2.0)
                                      .handshake())
                    self.opened += 1
                except (p2p.HandshakeError, OSError):
                    self.refused += 1
                    break
            if time.time() - last_ka >= 1.0:
                last_ka = time.time()
                for p in self.peers:
                    p.send(keepalive)
            self.halt.wait(0.1)

    def stop(self):
        self.halt.set()
        self.join(10)
        for p in self.peers:
            p.close()


def main():
    args = sys.argv[1:]
    reserved = RESERVED
    if len(args) == 3 and args[1] == "--reserved-reps":
        reserved = int(args[2])
        args = args[:1]
    if len(args) != 1:
        fail("usage: test_net_reps.py SMALLNANOD [--reserved-reps N]")
    flood = None
    try:
        with Devnet(args[0], nodes=2, reps=2, split=[10, 90],
                    extra_config=CONFIG % (MAX_PEERS, reserved),
                    heartbeat_timeout_ms=60000, log=lambda m: print(m, flush=True)) as net:
            f, r = net.nodes
            w, src, _, opened = net.fund(f, 1000 * blocks.ONE_SMN)
            net.wait_confirmed([opened], 30, what="F's source account open")
            r_id = bytes(r.peers()["node_id"])
            f_net = f.pids()["net"]

            # ---- 1: R away, the attacker fills F's slots ----
            r.proc.terminate()
            if r.wait_exit(20) is None:
                raise DevnetError("R did not stop on SIGTERM")
            wait_for("F drops R", lambda: all(bytes(p["node_id"]) != r_id
                                              for p in f.peers()["peers"]), 20, [f])
            flood = Flood(f.peer_port, MAX_PEERS + 4)
            flood.start()

            def from_attacker(st):
                return [p for p in st["peers"] if p["endpoint"].startswith(ATTACKER + ":")]

            def ordinary_full():
                st = f.peers()
                mine = from_attacker(st)
                return len([p for p in mine if not p.get("reserved")]) >= ORDINARY and st
            st = wait_for("the attacker holds F's %d ordinary slots" % ORDINARY,
                          ordinary_full, 30, [f], step=0.1)
            held = from_attacker(st)
            print("attacker: %d channels on F (%d reserved), %d opened, %d refused"
                  % (len(held), sum(1 for p in held if p.get("reserved")), flood.opened,
                     flood.refused))
            if sum(1 for p in held if p.get("reserved")) > 2:
                raise DevnetError("the attacker holds more than 2 reserved slots: %r" % held)
            if reserved:
                wait_for("F closes the attacker's unproven reserved channels",
                         lambda: f.peers().get("reps_unproven", 0) >= 1 and
                         not any(p.get("reserved") for p in from_attacker(f.peers())),
                         15, [f], step=0.1)

            # ---- 2: R comes back and must peer in a reserved slot ----
            r.start()
            r.wait_ready(timeout=60)

            def r_on_f():
                st = f.peers()
                for p in st["peers"]:
                    if bytes(p["node_id"]) == r_id:
                        return st, p
                return None
            st, rp = wait_for("R a ready peer of F despite the flood", r_on_f, 30, [f, r],
                              step=0.1)
            wait_for("F counts R proven", lambda: f.peers()["reps_proven"] >= 1, 10, [f, r],
                     step=0.1)
            st = f.peers()
            ordinary_held = [p for p in from_attacker(st) if not p.get("reserved")]
            print("R on F: %s (reserved %s); attacker ordinary %d; F reserved %d, proven %d, "
                  "unproven %d" % (rp["endpoint"], rp.get("reserved", False),
                                   len(ordinary_held), st["reserved"], st["reps_proven"],
                                   st["reps_unproven"]))
            if not rp.get("reserved"):
                raise DevnetError("R got an ordinary slot: the flood did not fill them")
            if len(ordinary_held) < ORDINARY:
                raise DevnetError("the attacker lost ordinary slots (%d of %d)"
                                  % (len(ordinary_held), ORDINARY))
            # its address failed the proof: locked out of the reserved slots
            # (it kept reconnecting all along), so it never got one again
            if any(p.get("reserved") for p in from_attacker(st)) or st["reps_unproven"] > 2:
                raise DevnetError("the attacker took reserved slots again after failing the "
                                  "proof: %r, %d unproven" % (from_attacker(st),
                                                              st["reps_unproven"]))

            # the same figures where an operator reads them: rpc's stats
            # (peering entries) and /metrics
            def peering_stats():
                e = {x["detail"]: int(x["value"])
                     for x in f.rpc("stats", type="counters").get("entries", [])
                     if x["type"] == "peering"}
                return e if (e.get("reserved", 0) >= 1 and e.get("reps_proven", 0) >= 1 and
                             e.get("reps_unproven", 0) >= 1 and "outbound" in e) else None
            e = wait_for("F's stats show its reserved slots", peering_stats, 10, [f, r],
                         step=0.2)

            def metric_values():
                with urllib.request.urlopen(f.rpc_url + "metrics", timeout=10) as resp:
                    text = resp.read().decode()
                got = {}
                for name in ('smallnano_net_reserved_peers',
                             'smallnano_net_reserved_slot_probes_total{result="proven"}',
                             'smallnano_net_reserved_slot_probes_total{result="closed"}'):
                    m = re.search("^" + re.escape(name) + r" ([0-9.e+]+)$", text, re.M)
                    if not m or float(m.group(1)) < 1:
                        return None
                    got[name] = float(m.group(1))
                return got
            mv = wait_for("F's /metrics show its reserved slots", metric_values, 10, [f, r],
                          step=0.2)
            print("F's stats: reserved %d, reps_proven %d, reps_unproven %d, outbound %d; "
                  "metrics %r" % (e["reserved"], e["reps_proven"], e["reps_unproven"],
                                  e["outbound"], mv))

            # ---- 3: R's votes confirm a send on F ----
            dest = blocks.Key().account
            h = f.rpc_ok("send", "block", wallet=w, source=src, destination=dest, amount="1000")
            wait_for("the send cemented on F with R's votes",
                     lambda: f.rpc("block_info", hash=h).get("confirmed") == "true", 20,
                     [f, r], step=0.05)
            if f.pids()["net"] != f_net:
                raise DevnetError("F's net process was restarted")
            print("ok: send %s... cemented on F; R kept its reserved slot through the flood"
                  % h[:16])
    except DevnetError as e:
        fail(str(e))
    finally:
        if flood:
            flood.stop()


if __name__ == "__main__":
    main()
