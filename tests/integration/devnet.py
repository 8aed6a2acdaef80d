"""A many-node devnet on loopback: N smallnanod processes (network dev, own
data dir, own RPC and peering ports), nodes 2..N configured with node 1 as
their only peer (they find each other by peer exchange), the voting weight
split over K representative accounts held by nodes 1..K.

How the weight is split. Every dev node's rpc creates a demo wallet holding
the published genesis key, so at first every node votes with the whole
supply. Representative i gets a wallet of its own on node i (wallet_create:
a wallet without a representative, so the open block auto-receive builds
names the account itself) and one account in it (account_create). Node 1
sends representatives 2..K their shares from genesis; their nodes receive
them (auto-receive). Then genesis changes its representative to
representative 1, whose weight is the balance genesis kept: the genesis key
has no weight left anywhere. The split is done once every node reports the
same weights and every node's elections process has reloaded its
representatives ("voting with N representatives" in its log).

Library: `Devnet(smallnanod, nodes=N, reps=K, split=[...])` with
start()/stop() or as a context manager (used by the tests). Command line:
`python3 devnet.py --smallnanod BIN --nodes N --reps K [--split 40,35,25]
[--base-port P] [--dir DIR]` (`.ci/devnet` builds and calls this), which
prints each node's RPC URL, peering port, data dir, log and representative
and runs until Ctrl-C/SIGTERM or until a node dies.
"""
import argparse
import http.client
import json
import os
import re
import shutil
import subprocess
import signal
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import devnet_blocks as blocks  # noqa: E402
from nodeutil import IpcError, Node, call, children_of, free_port, ledger_db  # noqa: E402

SUPPLY = blocks.SUPPLY

SUPERVISOR_CONF = """[supervisor]
restart_backoff_ms = %d
restart_backoff_max_ms = %d
max_restarts = 100
"""


class DevnetError(Exception):
    pass


class RpcError(DevnetError):
    pass


# ------------------------------------------------------------------ a node


class DevNode(Node):
    """One devnet node: nodeutil.Node with fixed ports, an RPC client (one
    keep-alive connection per thread) and, with `parent`, a data dir of its
    own under parent instead of a temp dir (kept on exit when `keep`)."""

    def __init__(self, smallnanod, index, rpc_port, peer_port, peers=(), parent=None,
                 keep=False, extra_config="", restart_backoff_ms=20, heartbeat_timeout_ms=None):
        self.index = index
        self.rpc_port = rpc_port
        self.peer_port = peer_port
        self.keep = keep
        config = "[rpc]\nport = %d\n[net]\nport = %d\npeers = %s\n%s%s" % (
            rpc_port, peer_port, ",".join("127.0.0.1:%d" % p for p in peers),
            SUPERVISOR_CONF % (restart_backoff_ms, max(200, restart_backoff_ms))
            + ("heartbeat_timeout_ms = %d\n" % heartbeat_timeout_ms if heartbeat_timeout_ms else ""),
            extra_config)
        super().__init__(smallnanod, config, autostart=False)
        if parent:
            shutil.rmtree(self.dir, ignore_errors=True)
            self.dir = os.path.join(os.path.abspath(parent), "node%d" % index)
            os.makedirs(self.dir, exist_ok=True)
            self.data = os.path.join(self.dir, "data")
            self.conf = os.path.join(self.dir, "smallnano.conf")
            self.log_path = os.path.join(self.dir, "node.log")
            with open(self.conf, "w") as f:
                f.write(config)
        self._local = threading.local()

    @property
    def rpc_url(self):
        return "http://127.0.0.1:%d/" % self.rpc_port

    def _conn(self, timeout):
        c = getattr(self._local, "conn", None)
        if c is None:
            c = http.client.HTTPConnection("127.0.0.1", self.rpc_port, timeout=timeout)
            self._local.conn = c
        c.timeout = timeout
        return c

    def rpc(self, action, timeout=30.0, **fields):
        """The answer's JSON object (which may hold "error")."""
        body = json.dumps(dict(action=action, **fields))
        for attempt in (0, 1):
            c = self._conn(timeout)
            try:
                c.request("POST", "/", body=body, headers={"Content-Type": "application/json"})
                r = c.getresponse()
                data = r.read()
                break
            except (http.client.HTTPException, OSError):
                c.close()
                self._local.conn = None
                if attempt:
                    raise
        try:
            return json.loads(data)
        except ValueError:
            raise RpcError("node %d %s: HTTP %d %r" % (self.index, action, r.status, data[:200]))

    def rpc_ok(self, action, answer_field, **fields):
        """The answer's answer_field, or RpcError naming the action and the error."""
        r = self.rpc(action, **fields)
        if answer_field not in r:
            raise RpcError("node %d %s: %r" % (self.index, action, r))
        return r[answer_field]

    def peers(self):
        return call(self.sock("net"), "peers", timeout=5.0)

    def pids(self):
        return {p["name"]: p["pid"] for p in self.status()}

    def status_by_name(self):
        return {p["name"]: p for p in self.status()}

    def all_pids(self):
        """The supervisor and every child running now."""
        out = [self.proc.pid] if self.proc else []
        if self.proc:
            out += [p for p, state in children_of(self.proc.pid) if state != "Z"]
        return out

    def running(self):
        return self.proc is not None and self.proc.poll() is None

    def cleanup(self):
        if self.keep:
            # Node.cleanup removes self.dir: hand it an empty one instead.
            kept, self.dir = self.dir, tempfile.mkdtemp(prefix="smn-devnet-kept-")
            try:
                super().cleanup()
            finally:
                self.dir = kept
        else:
            super().cleanup()

    def unconfirmed(self, limit=20):
        """Blocks above their account's confirmation height, read from
        ledger.db (read-only): [(account, height, hash, subtype)], for
        diagnostics."""
        db = ledger_db(os.path.join(self.data, "ledger.db"), timeout=5)
        try:
            rows = db.execute(
                "SELECT b.account, b.height, b.hash, b.subtype FROM blocks b JOIN accounts a"
                " ON a.account = b.account WHERE b.height > a.conf_height ORDER BY b.id LIMIT ?",
                (limit,)).fetchall()
        finally:
            db.close()
        names = {0: "send", 1: "receive", 2: "open", 3: "change"}
        return [(blocks.address(bytes(a)), h, bytes(x).hex().upper(), names.get(t, t))
                for a, h, x, t in rows]

    def log_tail(self, n=6000):
        return self.read_log()[-n:]


# ------------------------------------------------------------------ helpers


def wait_for(what, cond, timeout, nodes=(), step=0.01):
    """Poll cond() until truthy; DevnetError with the last value and the
    nodes' log tails after timeout seconds."""
    deadline = time.time() + timeout
    last = None
    while time.time() < deadline:
        try:
            last = cond()
            if last:
                return last
        except (OSError, IpcError, RpcError, KeyError, http.client.HTTPException) as e:
            last = e
        time.sleep(step)
    logs = "\n".join("---- node %d log (%s) ----\n%s" % (n.index, n.log_path, n.log_tail())
                     for n in nodes)
    raise DevnetError("%s: not within %.0f s (last: %r)\n%s" % (what, timeout, last, logs))


def parse_split(text, reps):
    """'40,35,25' -> [40, 35, 25]: positive integers summing to 100, one per rep."""
    try:
        parts = [int(x) for x in text.split(",")]
    except ValueError:
        raise DevnetError("--split: expected comma-separated integer percentages, got %r" % text)
    if len(parts) != reps:
        raise DevnetError("--split: %d percentages for %d representatives" % (len(parts), reps))
    if any(p <= 0 for p in parts) or sum(parts) != 100:
        raise DevnetError("--split: percentages must be positive and sum to 100, got %r" % text)
    return parts


def shares_of(split, reps):
    """Raw weight per representative: the split's percentages of the supply,
    or as even as possible (the remainder to representative 1)."""
    if split:
        shares = [SUPPLY * p // 100 for p in split]
    else:
        shares = [SUPPLY // reps] * reps
    shares[0] += SUPPLY - sum(shares)
    return shares


def voting_lines(text):
    return [int(m.group(1)) for m in re.finditer(r"voting with (\d+) representative", text)]


# ------------------------------------------------------------------ devnet


class Devnet:
    """N nodes, K representatives; see the module docstring."""

    def __init__(self, smallnanod, nodes=3, reps=1, split=None, base_port=None, root=None,
                 extra_config="", log=None, timeout=60.0, restart_backoff_ms=20,
                 heartbeat_timeout_ms=None):
        if nodes < 1:
            raise DevnetError("need at least one node")
        if not 1 <= reps <= nodes:
            raise DevnetError("--reps must be between 1 and the number of nodes (%d)" % nodes)
        if split is not None and (len(split) != reps or sum(split) != 100 or
                                  any(p <= 0 for p in split)):
            raise DevnetError("split %r: one positive percentage per representative, sum 100"
                              % (split,))
        if base_port is not None and not 1024 <= base_port <= 65535 - 2 * nodes:
            raise DevnetError("--base-port %d: need 2 ports per node below 65536" % base_port)
        self.smallnanod = smallnanod
        self.n = nodes
        self.k = reps
        self.split = split
        self.shares = shares_of(split, reps)
        self.base_port = base_port
        self.root = root
        self.extra_config = extra_config
        self.restart_backoff_ms = restart_backoff_ms
        # None: the supervisor's default; a test that freezes a child on
        # purpose gives it longer, so the supervisor does not kill it first
        self.heartbeat_timeout_ms = heartbeat_timeout_ms
        self.log = log or (lambda msg: None)
        self.timeout = timeout
        self.nodes = []
        self.reps = []  # [{"node", "account", "public", "wallet", "weight"}]
        self.genesis = blocks.genesis_key().account
        self.genesis_wallet = None

    # ---- lifecycle

    def __enter__(self):
        try:
            self.start()
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(self, *exc):
        self.stop()
        return False

    def _ports(self, i):
        if self.base_port is not None:
            return self.base_port + 2 * i + 1, self.base_port + 2 * i  # rpc, peering
        return free_port(), free_port()

    def start(self):
        state = self._load_state()
        first_peer = None
        for i in range(self.n):
            rpc, peer = self._ports(i)
            node = DevNode(self.smallnanod, i + 1, rpc, peer,
                           peers=[first_peer] if first_peer else (),
                           parent=self.root, keep=self.root is not None,
                           extra_config=self.extra_config,
                           restart_backoff_ms=self.restart_backoff_ms,
                           heartbeat_timeout_ms=self.heartbeat_timeout_ms)
            if first_peer is None:
                first_peer = peer
            self.nodes.append(node)
        for node in self.nodes:
            node.start()
        for node in self.nodes:
            node.wait_ready(timeout=self.timeout)
        self.log("%d nodes running; waiting for the mesh" % self.n)
        self.wait_meshed()
        self.genesis_wallet = self.nodes[0].rpc("wallet_list")["wallets"][0]["id"]
        if state:
            self.reps = state["reps"]
            self.log("reusing the representatives of %s" % self._state_path())
            self.wait_weights_agree()
        else:
            self.split_weight()
            self._save_state()
        return self

    def stop(self, grace=10.0):
        """SIGTERM every node (clean stop), SIGKILL whatever is left after
        grace seconds, then Node.cleanup (kills every recorded pid)."""
        for node in self.nodes:
            if node.running():
                node.proc.terminate()
        deadline = time.time() + grace
        for node in self.nodes:
            if node.proc is not None:
                node.wait_exit(max(0.1, deadline - time.time()))
        for node in self.nodes:
            node.cleanup()
        self.nodes_stopped = True

    def dead(self):
        """Nodes whose smallnanod exited: [(index, returncode)]."""
        return [(n.index, n.proc.returncode) for n in self.nodes
                if n.proc is not None and n.proc.poll() is not None]

    # ---- state kept in --dir, so a second start reuses the split

    def _state_path(self):
        return os.path.join(self.root, "devnet.json") if self.root else None

    def _load_state(self):
        p = self._state_path()
        if not p or not os.path.exists(p):
            if p and any(os.path.isdir(os.path.join(self.root, "node%d" % (i + 1), "data"))
                         for i in range(self.n)):
                raise DevnetError("%s holds node data but no devnet.json: use an empty --dir"
                                  % self.root)
            return None
        with open(p) as f:
            state = json.load(f)
        if state.get("nodes") != self.n or [r["weight"] for r in state["reps"]] != \
                [str(s) for s in self.shares]:
            raise DevnetError("%s is a devnet of %s nodes with weights %s; this run asks for %d "
                              "nodes and %s: use another --dir"
                              % (self.root, state.get("nodes"),
                                 [r["weight"] for r in state["reps"]], self.n, self.shares))
        return state

    def _save_state(self):
        p = self._state_path()
        if p:
            with open(p + ".tmp", "w") as f:
                json.dump({"nodes": self.n, "reps": self.reps}, f, indent=1)
            os.replace(p + ".tmp", p)

    # ---- setup steps

    def wait_meshed(self, timeout=None):
        """Every node has a channel to every other (peer exchange)."""
        def meshed():
            ids = {n.index: n.peers()["node_id"] for n in self.nodes}
            for n in self.nodes:
                got = {p["node_id"] for p in n.peers()["peers"]}
                if not {ids[k] for k in ids if k != n.index} <= got:
                    return False
            return True
        wait_for("%d nodes fully connected (peer exchange)" % self.n, meshed,
                 timeout or self.timeout, self.nodes, step=0.1)

    def split_weight(self):
        n1 = self.nodes[0]
        self.reps = []
        for i in range(self.k):
            node = self.nodes[i]
            # The voting key goes into the node's representative key file
            # (elections never reads wallets) and into a wallet of its own,
            # whose auto-receive opens the account representing itself.
            key = node.rpc("key_create")
            wallet = node.rpc_ok("wallet_create", "wallet")
            account = node.rpc_ok("wallet_add", "account", wallet=wallet, key=key["private"])
            self._rep_key_file(node, key["private"])
            self.reps.append({"node": node.index, "account": account, "wallet": wallet,
                              "public": blocks.public_of(account).hex().upper(),
                              "weight": str(self.shares[i])})
        offsets = {n.index: len(n.read_log()) for n in self.nodes}
        # Shares for representatives 2..K; each opens its account on its node.
        for i in range(1, self.k):
            r = self.reps[i]
            send = n1.rpc_ok("send", "block", wallet=self.genesis_wallet, source=self.genesis,
                             destination=r["account"], amount=r["weight"])
            self.log("genesis -> representative %d (node %d): %s raw, send %s"
                     % (i + 1, r["node"], r["weight"], send))

            def opened(r=r):
                for n in self.nodes:
                    info = n.rpc("account_info", account=r["account"], representative=True)
                    if info.get("balance") != r["weight"]:
                        return False
                    if info.get("representative") != r["account"]:
                        raise DevnetError("representative %s opened with representative %s, "
                                          "not itself" % (r["account"], info.get("representative")))
                return True
            wait_for("representative %d's open block on every node" % (i + 1), opened,
                     self.timeout, self.nodes)
        change = n1.rpc_ok("account_representative_set", "block", wallet=self.genesis_wallet,
                           account=self.genesis, representative=self.reps[0]["account"])
        self.log("genesis now represented by representative 1: change %s" % change)
        self.wait_weights_agree()

        # Every elections process reloads its representatives (every 5 s):
        # after that, nodes K+1..N vote with nothing and the genesis key
        # with nothing anywhere.
        def reloaded():
            for n in self.nodes:
                counts = voting_lines(n.read_log()[offsets[n.index]:])
                if not counts or counts[-1] != (1 if n.index <= self.k else 0):
                    return False
            return True
        wait_for("every elections process voting with its own representatives only", reloaded,
                 self.timeout, self.nodes, step=0.1)

    def _cli(self):
        return os.path.join(os.path.dirname(os.path.abspath(self.smallnanod)), "..", "procs",
                            "cli", "smallnano-cli")

    def _rep_key_file(self, node, private_hex):
        """Write node's representative key file and restart its elections
        process, which reads the file once at start."""
        path = os.path.join(node.data, "representative.key")
        for args in (["rep-key", "create", path, "--private", private_hex],
                     ["--data-dir", node.data, "node", "restart", "elections"]):
            out = subprocess.run([self._cli()] + args, capture_output=True, text=True,
                                 timeout=60)
            if out.returncode != 0:
                raise DevnetError("smallnano-cli %s: %s" % (args[0], out.stderr.strip()))

    def wait_weights_agree(self, timeout=None):
        expect = {r["account"]: r["weight"] for r in self.reps}
        expect[self.genesis] = "0"

        def agree():
            for n in self.nodes:
                for acc, w in expect.items():
                    if n.rpc("account_weight", account=acc).get("weight") != w:
                        return False
            return True
        wait_for("every node agrees on the representatives' weights", agree,
                 timeout or self.timeout, self.nodes, step=0.05)

    # ---- used by tests and benchmarks

    def rep_of(self, node):
        return [r for r in self.reps if r["node"] == node.index]

    def fund(self, node, amount, representative=None):
        """A new account held by `node`'s wallet, funded with `amount` raw
        from genesis and delegating to `representative` (default:
        representative 1, which held the weight genesis gives away, so the
        split stays as it was). The open block is built offline, because
        auto-receive would name the account itself as representative.
        Returns (wallet, account, key, open block hash)."""
        rep = blocks.public_of(representative or self.reps[0]["account"])
        key = blocks.Key()
        send = self.nodes[0].rpc_ok("send", "block", wallet=self.genesis_wallet,
                                    source=self.genesis, destination=key.account,
                                    amount=str(amount))
        wait_for("the funding send on node %d" % node.index,
                 lambda: "error" not in node.rpc("block_info", hash=send), self.timeout,
                 self.nodes)
        open_block = blocks.Chain(key).receive(bytes.fromhex(send), amount, representative=rep)
        h = node.rpc_ok("process", "hash", json_block=True, block=open_block.json())
        wallet = node.rpc_ok("wallet_create", "wallet")
        got = node.rpc_ok("wallet_add", "account", wallet=wallet, key=key.private.hex().upper())
        if got != key.account:
            raise DevnetError("wallet_add answered %s for %s" % (got, key.account))
        return wallet, key.account, key, h

    def confirmed_counts(self, hashes, nodes=None):
        """{node index: how many of hashes that node has confirmed}."""
        out = {}
        for n in nodes or self.nodes:
            total = 0
            for i in range(0, len(hashes), 5000):
                r = n.rpc("blocks_info", hashes=hashes[i:i + 5000], include_not_found=True)
                total += sum(1 for b in r.get("blocks", {}).values()
                             if b.get("confirmed") == "true")
            out[n.index] = total
        return out

    def wait_confirmed(self, hashes, timeout, nodes=None, what="blocks"):
        """Until every node confirmed every hash; seconds it took."""
        t0 = time.time()
        nodes = nodes or self.nodes
        last = {}

        def done():
            last.update(self.confirmed_counts(hashes, nodes))
            return all(c == len(hashes) for c in last.values())
        try:
            wait_for("%d %s confirmed on nodes %s" % (len(hashes), what, [n.index for n in nodes]),
                     done, timeout, self.nodes, step=0.1)
        except DevnetError as e:
            raise DevnetError("confirmed per node %r of %d; %s" % (last, len(hashes), e))
        return time.time() - t0

    def counts(self):
        """{node index: (block count, cemented count)}."""
        out = {}
        for n in self.nodes:
            r = n.rpc("block_count")
            out[n.index] = (int(r["count"]), int(r["cemented"]))
        return out

    def describe(self):
        lines = []
        for n in self.nodes:
            reps = ", ".join("%s (%s raw, %.2f%%)" % (r["account"], r["weight"],
                                                     100.0 * int(r["weight"]) / SUPPLY)
                             for r in self.rep_of(n)) or "none"
            lines.append("node %d: rpc %s  peering 127.0.0.1:%d\n"
                         "        data %s\n        log  %s\n        representative %s"
                         % (n.index, n.rpc_url, n.peer_port, n.data, n.log_path, reps))
        return "\n".join(lines)


# ------------------------------------------------------------------ command


def main(argv=None):
    ap = argparse.ArgumentParser(prog="devnet", description="Run N smallnano nodes on loopback "
                                 "with the voting weight split over K representatives.")
    ap.add_argument("--smallnanod", required=True, help="path of the smallnanod binary")
    ap.add_argument("--nodes", type=int, default=3)
    ap.add_argument("--reps", type=int, default=1)
    ap.add_argument("--split", help="percentages per representative, e.g. 40,35,25 "
                    "(default: as even as possible)")
    ap.add_argument("--base-port", type=int, help="node i uses P+2(i-1) for peering and "
                    "P+2(i-1)+1 for RPC (default: free ports)")
    ap.add_argument("--dir", help="keep the nodes' data under DIR/nodeI (default: temp dirs, "
                    "removed on exit); a second run on the same DIR reuses it")
    args = ap.parse_args(argv)
    try:
        split = parse_split(args.split, args.reps) if args.split else None
        net = Devnet(args.smallnanod, nodes=args.nodes, reps=args.reps, split=split,
                     base_port=args.base_port, root=args.dir,
                     log=lambda m: print("devnet: " + m, flush=True))
    except DevnetError as e:
        print("devnet: %s" % e, file=sys.stderr)
        return 2
    stop = {"sig": None}

    def on_signal(signum, _frame):
        stop["sig"] = signum
        raise KeyboardInterrupt
    signal.signal(signal.SIGTERM, on_signal)
    rc = 0
    try:
        net.start()
        print("\n" + "=" * 74)
        print("smallnano devnet: %d nodes, %d representatives (dev network)" % (net.n, net.k))
        print(net.describe())
        print("genesis %s: no weight (represented by representative 1)" % net.genesis)
        print("Ctrl-C or SIGTERM stops every node.")
        print("=" * 74, flush=True)
        while True:
            dead = net.dead()
            if dead:
                for index, code in dead:
                    node = net.nodes[index - 1]
                    print("devnet: node %d (smallnanod pid %d) exited with status %s; log %s"
                          % (index, node.proc.pid, code, node.log_path), file=sys.stderr)
                    print(node.log_tail(2000), file=sys.stderr)
                rc = 1
                break
            time.sleep(0.5)
    except KeyboardInterrupt:
        print("devnet: %s: stopping every node" %
              ("SIGTERM" if stop["sig"] == signal.SIGTERM else "interrupted"), flush=True)
    except DevnetError as e:
        print("devnet: %s" % e, file=sys.stderr)
        rc = 1
    finally:
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        net.stop()
    return rc


if __name__ == "__main__":
    sys.exit(main())
