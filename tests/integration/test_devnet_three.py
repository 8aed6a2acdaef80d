"""A three-node devnet: separate smallnanod processes with their own data
dirs, loopback peering and RPC ports. Nodes 2 and 3 are configured with node
1 as their only peer (and find each other by peer exchange).

Every dev node votes with the published genesis key, so at first each node
could confirm with the whole supply by itself. Node 1 therefore gets a
representative key of its own, in a password-protected key file
(`smallnano-cli rep-key create`, the password in a file named by
`[elections] representative_password_file`), and moves all the weight to
that account (a change block); from then on nodes 2 and 3 can confirm a
block only with the votes node 1 relays over the network.

Then: sends from node 1 via RPC must reach nodes 2 and 3 (block_info on their
RPC) and be confirmed on all three; the time to arrival and to confirmation
on each node is printed. Node 2's net child is killed with SIGKILL and two
sends follow at once: the supervisor restarts it, it reconnects, and later
sends reach and confirm on node 2 again (via publish). The blocks it missed
while down arrive when the first later send turns out to have a gap: node 2
pulls the chain below it from the peer that published it (bulk_pull). A
full bootstrap (frontier scan) is the bootstrap process's job, not tested
here.

usage: test_devnet_three.py SMALLNANOD [SMALLNANO_CLI]
(the CLI defaults to ../procs/cli/smallnano-cli beside SMALLNANOD's directory)
"""
import contextlib
import json
import os
import signal
import statistics
import subprocess
import sys
import time
import urllib.error
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from nodeutil import IpcError, Node, call, fail, free_port  # noqa: E402

SUPERVISOR = """
[supervisor]
restart_backoff_ms = 20
restart_backoff_max_ms = 200
max_restarts = 100
"""




class DevNode(Node):
    def __init__(self, smallnanod, index, peers=(), elections="", autostart=True):
        self.index = index
        self.rpc_port = free_port()
        self.peer_port = free_port()
        config = "[rpc]\nport = %d\n[net]\nport = %d\npeers = %s\n%s%s" % (
            self.rpc_port, self.peer_port,
            ",".join("127.0.0.1:%d" % p for p in peers), SUPERVISOR, elections)
        super().__init__(smallnanod, config, autostart=autostart)


    def rpc(self, action, **fields):
        req = dict(action=action, **fields)
        r = urllib.request.Request("http://127.0.0.1:%d/" % self.rpc_port,
                                   data=json.dumps(req).encode(),
                                   headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(r, timeout=30) as f:
            return json.loads(f.read())

    def peers(self):
        return call(self.sock("net"), "peers", timeout=5.0)


def make_rep_key(cli, node):
    """A representative key file in node's data dir, under a password kept
    in a file of its own; returns (the [elections] config, the account)."""
    os.makedirs(node.data, exist_ok=True)
    pw = os.path.join(node.dir, "rep-password")
    with open(pw, "w") as f:
        f.write("correct horse battery staple\n")
    os.chmod(pw, 0o600)
    key = os.path.join(node.data, "representative.key")
    out = subprocess.run([cli, "rep-key", "create", key, "--password-file", pw],
                         capture_output=True, text=True, timeout=60)
    if out.returncode != 0:
        fail("rep-key create: %s" % out.stderr)
    return "[elections]\nrepresentative_password_file = %s\n" % pw, out.stdout.strip()


def wait_for(what, cond, timeout, nodes, step=0.005):
    deadline = time.time() + timeout
    last = None
    while time.time() < deadline:
        try:
            last = cond()
            if last:
                return last
        except (OSError, IpcError, urllib.error.URLError, KeyError) as e:
            last = e
        time.sleep(step)
    logs = "\n".join("---- node %d log ----\n%s" % (n.index, n.read_log()[-6000:]) for n in nodes)
    fail("%s: not within %.0f s (last: %r)\n%s" % (what, timeout, last, logs))


def block_state(node, h):
    """None (unknown), False (known, unconfirmed) or True (confirmed)."""
    r = node.rpc("block_info", hash=h)
    if "error" in r:
        return None
    return r.get("confirmed") == "true"


def track(nodes, h, t0, timeout=20.0):
    """Poll every node until h is confirmed everywhere; seconds to arrival
    and to confirmation per node."""
    seen, conf = {}, {}
    deadline = t0 + timeout
    while time.time() < deadline and len(conf) < len(nodes):
        for n in nodes:
            if n.index in conf:
                continue
            st = block_state(n, h)
            now = time.time() - t0
            if st is not None and n.index not in seen:
                seen[n.index] = now
            if st:
                conf[n.index] = now
        time.sleep(0.002)
    if len(conf) < len(nodes):
        logs = "\n".join("---- node %d log ----\n%s" % (n.index, n.read_log()[-6000:])
                         for n in nodes)
        fail("block %s: arrived on %s, confirmed on %s within %.0f s\n%s"
             % (h, sorted(seen), sorted(conf), timeout, logs))
    return seen, conf


def main():
    if len(sys.argv) not in (2, 3):
        fail("usage: test_devnet_three.py SMALLNANOD [SMALLNANO_CLI]")
    smallnanod = sys.argv[1]
    cli = sys.argv[2] if len(sys.argv) == 3 else os.path.join(
        os.path.dirname(os.path.abspath(smallnanod)), "..", "procs", "cli", "smallnano-cli")
    with contextlib.ExitStack() as stack:
        n1 = stack.enter_context(DevNode(smallnanod, 1, autostart=False))
        elections, rep = make_rep_key(cli, n1)
        with open(n1.conf, "a") as f:
            f.write(elections)
        n1.start()
        n2 = stack.enter_context(DevNode(smallnanod, 2, [n1.peer_port]))
        n3 = stack.enter_context(DevNode(smallnanod, 3, [n1.peer_port]))
        nodes = [n1, n2, n3]
        for n in nodes:
            n.wait_ready(timeout=60)

        # ---- peering: 2 and 3 dial 1, then find each other ----
        def meshed():
            ids = {n.index: n.peers()["node_id"] for n in nodes}
            for n in nodes:
                got = {p["node_id"] for p in n.peers()["peers"]}
                if got != {ids[k] for k in ids if k != n.index}:
                    return False
            return True
        wait_for("three nodes fully connected (peer exchange)", meshed, 30, nodes)
        port = n1.peers()["port"]
        if port != n1.peer_port:
            fail("node 1 reports peering port %r, configured %d" % (port, n1.peer_port))

        # ---- only node 1 may vote: move the weight to the key only it holds ----
        w = n1.rpc("wallet_list")["wallets"][0]
        wallet, genesis = w["id"], w["accounts"][0]
        if "representative key file" not in n1.read_log():
            fail("node 1 did not read its representative key file:\n" + n1.read_log())
        change = n1.rpc("account_representative_set", wallet=wallet, account=genesis,
                        representative=rep)
        if "block" not in change:
            fail("account_representative_set: %r" % change)
        # Node 1 confirms it with the genesis weight it had. Nodes 2 and 3
        # may not: the genesis account's vote weighs nothing once they applied
        # the change; they cement it below the first send they confirm.
        wait_for("the change block on every node, confirmed on node 1",
                 lambda: block_state(n1, change["block"]) and
                 all(block_state(n, change["block"]) is not None for n in (n2, n3)), 30, nodes)
        for n in (n2, n3):
            r = n.rpc("account_weight", account=rep)
            if r.get("weight") != n1.rpc("account_weight", account=rep).get("weight"):
                fail("node %d: representative weight %r" % (n.index, r))
            if n.rpc("account_weight", account=genesis).get("weight") != "0":
                fail("node %d still gives the genesis account weight" % n.index)

        # The elections process re-reads its keys' weights every 5 s: after
        # that node 1 votes with the new key, and nodes 2 and 3 have no
        # weight left and must hear votes.
        time.sleep(6)

        # ---- sends from node 1: arrival and confirmation everywhere ----
        dest = n1.rpc("key_create")["account"]

        def send(amount):
            t = time.time()
            r = n1.rpc("send", wallet=wallet, source=genesis, destination=dest, amount=amount)
            if "block" not in r:
                fail("send: %r" % r)
            return r["block"], t

        rounds = []
        for i in range(5):
            h, t = send(str(1000 + i))
            rounds.append(track(nodes, h, t))
        print("time from the send RPC call (median of %d sends):" % len(rounds))
        for n in nodes:
            arr = statistics.median(r[0][n.index] for r in rounds) * 1000
            cnf = statistics.median(r[1][n.index] for r in rounds) * 1000
            print("  node %d: block present %.1f ms, confirmed %.1f ms" % (n.index, arr, cnf))
        votes = [n.peers()["votes_in"] for n in (n2, n3)]
        if min(votes) < len(rounds):
            fail("nodes 2 and 3 confirmed %d sends with %r votes from the network"
                 % (len(rounds), votes))

        # ---- without node 1's votes nobody confirms: freeze its elections ----
        el1 = {p["name"]: p["pid"] for p in n1.status()}["elections"]
        os.kill(el1, signal.SIGSTOP)
        try:
            h, t = send("3000")
            wait_for("the send reaches nodes 2 and 3",
                     lambda: all(block_state(n, h) is not None for n in (n2, n3)), 10, nodes)
            time.sleep(1.0)  # well below the heartbeat timeout (5 s)
            states = [block_state(n, h) for n in nodes]
            if any(states):
                fail("confirmed without node 1's votes: %r" % states)
        finally:
            os.kill(el1, signal.SIGCONT)
        track(nodes, h, t)

        # ---- SIGKILL node 2's net child: it comes back and catches up ----
        before = {p["name"]: p["pid"] for p in n2.status()}
        os.kill(before["net"], signal.SIGKILL)
        # Published while node 2's net child is dead or restarting: node 2
        # misses these unless its new net child is back already.
        missed = [send(str(2500 + i))[0] for i in range(2)]
        n2.wait_ready(timeout=30, exclude_pids={before["net"]})
        after = {p["name"]: p["pid"] for p in n2.status()}
        for name, pid in before.items():
            if name != "net" and after[name] != pid:
                fail("node 2: %s restarted too (%d -> %d)" % (name, pid, after[name]))
        ids1 = n1.peers()["node_id"]
        wait_for("node 2's new net child reconnected to node 1",
                 lambda: any(p["node_id"] == ids1 for p in n2.peers()["peers"]), 20, nodes)
        t_back = time.time()
        gaps = [h for h in missed if block_state(n2, h) is None]
        for i in range(3):
            h, t = send(str(2000 + i))
            seen, conf = track(nodes, h, t)
            print("after the restart, send %d: node 2 present %.1f ms, confirmed %.1f ms"
                  % (i + 1, seen[2] * 1000, conf[2] * 1000))
        for h in missed:
            if not block_state(n2, h):
                fail("node 2 did not catch up with %s" % h)
        print("node 2 caught up %.2f s after its net child was back (%d of %d blocks sent "
              "while it was down came back by pulling the gap)"
              % (time.time() - t_back, len(gaps), len(missed)))
        for n in nodes:
            r = n.rpc("block_count")
            print("node %d: block_count %s, cemented %s" % (n.index, r.get("count"),
                                                             r.get("cemented")))
        counts = {(n.rpc("block_count").get("count"), n.rpc("block_count").get("cemented"))
                  for n in nodes}
        if len(counts) != 1:
            fail("block counts differ: %r" % counts)
        if not all(block_state(n, change["block"]) for n in nodes):
            fail("the change block is not confirmed everywhere")
    print("ok")


if __name__ == "__main__":
    main()
