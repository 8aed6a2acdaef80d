"""confirm_req, bulk_pull, publish and confirm_ack floods from one peer:
throttled, the offender banned, honest traffic still confirms (issue 10;
frontier_req floods are tests/integration/test_net_ban.py).

A two-node devnet, the weight split 50/50 between a representative on A
and one on B, so every block needs both nodes' votes over the network.
Both run with `[net] ban_loopback = true` (documented as for testing: a
one-host devnet otherwise only disconnects loopback offenders), so a
flooder dialling A from its own loopback address earns the ban an
off-loopback address would. For each flood, from a fresh address:

1. confirm_req (127.0.0.2): 3,000 frames of 12 random pairs at once.
   A forwards at most its burst to its elections (`vote_reqs_in`: 40
   frames, plus what the rate adds), throttles the excess allowance
   (`vote_reqs_throttled`, about 200 frames), then closes the channel and
   bans 127.0.0.2 (logged, `banned` counts it); a new connection from
   127.0.0.2 is refused before its handshake.
2. bulk_pull (127.0.0.3): 150,000 bulk_pull frames of an unknown chain.
   A's flood gate throttles most (`throttled`), A bans 127.0.0.3.
3. publish (127.0.0.4): one valid gap block 400,000 times; the publish
   gate throttles most, A bans 127.0.0.4.
4. confirm_ack (127.0.0.5): one valid vote by a non-representative key
   400,000 times; the confirm_ack gate throttles most, A bans 127.0.0.5.
During each flood a send made on A must be cemented on A (B's votes), and
B stays a ready peer of A, and A's net process stays below 96 MiB of RSS
(memory bounded whatever the flood's volume). A's net process is never
restarted.

usage: test_net_floods.py SMALLNANOD
"""
import os
import sys
import threading

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import devnet_blocks as blocks  # noqa: E402
import p2p  # noqa: E402
from devnet import Devnet, DevnetError, wait_for  # noqa: E402
from nodeutil import fail  # noqa: E402
from test_net_ban import try_handshake  # noqa: E402

CONFIG = "[net]\nban_loopback = true\nban_s = 120\n"
# A's net stays below this RSS through all floods (release: ~5 MiB; the
# sanitizer build ~20 MiB with ASan's quarantine of freed memory kept small
# below, else it holds up to 256 MiB of freed buffers)
RSS_MAX_KIB = 96 * 1024
os.environ["ASAN_OPTIONS"] = ":".join(
    x for x in (os.environ.get("ASAN_OPTIONS", ""), "quarantine_size_mb=8") if x)


def rss_kib(pid):
    with open("/proc/%d/status" % pid) as f:
        return int([l for l in f if l.startswith("VmRSS:")][0].split()[1])


def main():
    if len(sys.argv) != 2:
        fail("usage: test_net_floods.py SMALLNANOD")
    peers = []
    try:
        with Devnet(sys.argv[1], nodes=2, reps=2, split=[50, 50], extra_config=CONFIG,
                    heartbeat_timeout_ms=60000, log=lambda m: print(m, flush=True)) as net:
            a, b = net.nodes
            w, src, _, opened = net.fund(a, 1000 * blocks.ONE_SMN)
            net.wait_confirmed([opened], 30, what="A's source account open")
            a_net = a.pids()["net"]
            b_id = bytes(b.peers()["node_id"])
            sent = [0]

            def honest_send(what):
                sent[0] += 1
                h = a.rpc_ok("send", "block", wallet=w, source=src,
                             destination=blocks.Key().account, amount=str(1000 + sent[0]))
                wait_for("an honest send cemented on A during the %s flood" % what,
                         lambda: a.rpc("block_info", hash=h).get("confirmed") == "true", 30,
                         net.nodes, step=0.05)

            def flood(what, source, frames, check):
                before = a.peers()
                p = try_handshake(a.peer_port, source)
                if p is None:
                    raise DevnetError("the %s flooder could not handshake" % what)
                peers.append(p)
                t = threading.Thread(target=p.send, args=(frames,), daemon=True)
                t.start()
                honest_send(what)
                if not p.closed.wait(30):
                    raise DevnetError("A did not close the %s flooder" % what)
                t.join(30)
                wait_for("A logs the ban of %s" % source,
                         lambda: "banning %s" % source in a.read_log(), 10, [a])
                after = a.peers()
                if after["banned"] < before["banned"] + 1:
                    raise DevnetError("A's banned count %d -> %d" % (before["banned"],
                                                                     after["banned"]))
                if try_handshake(a.peer_port, source) is not None:
                    raise DevnetError("%s handshakes with A again while banned" % source)
                if not any(bytes(x["node_id"]) == b_id for x in after["peers"]):
                    raise DevnetError("B is no longer a peer of A after the %s flood" % what)
                check(before, after)
                if rss_kib(a_net) > RSS_MAX_KIB:
                    raise DevnetError("A's net RSS %d KiB after the %s flood (bound %d)"
                                      % (rss_kib(a_net), what, RSS_MAX_KIB))
                print("%s flood: %s; A's net RSS %d KiB" % (
                    what, ", ".join("%s +%d" % (k, after[k] - before[k])
                                    for k in ("vote_reqs_in", "vote_reqs_throttled",
                                              "throttled")), rss_kib(a_net)), flush=True)

            # ---- 1: confirm_req ----
            req = b"".join(p2p.confirm_req([(os.urandom(32), os.urandom(32))
                                            for _ in range(12)]) for _ in range(3000))

            def check_req(before, after):
                fwd = after["vote_reqs_in"] - before["vote_reqs_in"]
                thr = after["vote_reqs_throttled"] - before["vote_reqs_throttled"]
                # burst 480 pairs (40 frames) passes, 2,400 more (200) are
                # throttled, then it is a flood: what comes after is never read
                if fwd > 100 or thr < 150:
                    raise DevnetError("confirm_req flood: %d forwarded, %d throttled of 3000"
                                      % (fwd, thr))
            flood("confirm_req", "127.0.0.2", req, check_req)

            # ---- 2: bulk_pull ----
            # of an account A does not have: each answer is cheap, so A reads
            # the frames faster than the gate's rate even in a sanitizer
            # build (a pull of a real chain costs ledger reads; under a slow
            # build those alone keep a peer below the rate)
            pull = p2p.bulk_pull(os.urandom(32)) * 150000

            def check_pull(before, after):
                thr = after["throttled"] - before["throttled"]
                if thr < 50000:
                    raise DevnetError("bulk_pull flood: %d throttled of 150000" % thr)
            flood("bulk_pull", "127.0.0.3", pull, check_pull)

            # ---- 3, 4: publish and confirm_ack ----
            # One valid block (signature and work, on an unknown account:
            # a gap) and one valid vote, each repeated: past the first copy
            # they cost A only the decoding and the seen check, so A reads
            # them faster than the gates' rates (20,000/s, burst 40,000,
            # then 200,000 excess) in any build, and the gate alone must
            # stop the peer.
            gap_key = blocks.Key()
            gap = blocks.Block(gap_key, os.urandom(32), gap_key.public, 1000, os.urandom(32),
                               False)

            def check_gate(before, after):
                thr = after["throttled"] - before["throttled"]
                if thr < 150000:
                    raise DevnetError("%d throttled of 400000" % thr)
            flood("publish", "127.0.0.4", p2p.publish(gap.wire()) * 400000, check_gate)
            vote = p2p.confirm_ack(blocks.Key(), [os.urandom(32)], 1)
            flood("confirm_ack", "127.0.0.5", vote * 400000, check_gate)

            if a.pids()["net"] != a_net:
                raise DevnetError("A's net process was restarted")
            print("ok: every flood throttled and banned; honest sends cemented meanwhile")
    except DevnetError as e:
        fail(str(e))
    finally:
        for p in peers:
            p.close()


if __name__ == "__main__":
    main()
