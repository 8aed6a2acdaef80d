"""Sustained confirmations per second on a loopback devnet (a benchmark, not
a test: run it by hand, record the figures in docs/benchmarks.md).

It starts a devnet (tests/integration/devnet.py: N nodes, the weight split
over K representatives), funds A accounts (each held by node i mod N), and
builds, before measuring, chains of signed sends with work for each of them
offline (tests/integration/devnet_blocks.py, in parallel processes). Then,
at rising offered rates, it publishes the blocks of each account to its home
node's ledger (`process` on run/ledger.sock, pipelined; the ledger floods
what it accepts to the peers exactly as for an RPC `process`) and records,
from a `subscribe` connection to every node's ledger, when each block was
cemented on that node. Each step waits until its blocks are cemented on
every node (or a deadline: saturated) before the next, faster one.

Per step: offered and achieved publish rate, confirmations per second (the
step's blocks over first publish -> last node's cementing of the last
block), publish -> cemented latency p50 / p99 / max over every node (and
per node), CPU seconds of every node process (supervisor and children,
/proc/PID/stat) and peer-link TCP bytes (`ss -ti` bytes_sent of every
connection on a peering port) per confirmation, net's vote counters per
confirmation (votes verified from peers, confirm_acks sent, of them
answers to confirm_reqs, and confirm_reqs sent: independent of the
machine's load); at the end the peak RSS (VmHWM) of every child of every
node.

usage: bench_cps.py SMALLNANOD [--nodes 3] [--reps 3] [--accounts 24]
                    [--rates 500,1000,2000,3000,4000,6000] [--seconds 3]
                    [--drain 20] [--perf DIR] [--syscalls] [--root DIR]
--perf DIR: `perf record --call-graph dwarf` on every child kind (all
nodes' processes of that kind in one file, DIR/KIND-RATE.data) while each
step publishes (that step's CPU figures then include the sampling's cost).
--syscalls: per child kind, the system calls per block that stand for its
I/O work (pwrite64: SQLite WAL pages; writev/write: frames; epoll_wait:
loop wake-ups), counted by `perf stat` from the step's start until its
blocks are cemented: figures that do not change with the machine's load.
--root DIR: the nodes' data dirs and logs under DIR (kept afterwards; DIR
must not hold a devnet already).
"""
import argparse
import multiprocessing
import os
import signal
import socket
import struct
import subprocess
import sys
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "integration"))
import devnet_blocks as blocks  # noqa: E402
from devnet import Devnet  # noqa: E402
from nodeutil import children_of, mp_pack, mp_unpack, vm_hwm_kib  # noqa: E402

CLK_TCK = os.sysconf("SC_CLK_TCK")


# ------------------------------------------------------------ building


def build_chain(args):
    """(account index, [(hash, wire)]) for n sends of 1 raw from a funded account."""
    i, private, frontier, balance, rep, n, dest = args
    c = blocks.Chain(blocks.Key(private), frontier, balance, rep)
    out = []
    for _ in range(n):
        b = c.send(dest, 1)
        out.append((b.hash, b.wire()))
    return i, out


# ------------------------------------------------------------ ledger sockets


class Subscriber(threading.Thread):
    """Records the arrival time of every block_cemented on one node."""

    def __init__(self, node):
        super().__init__(daemon=True)
        self.node = node
        self.cemented = {}
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 8 << 20)
        self.sock.connect(node.sock("ledger"))
        payload = mp_pack({"kind": "subscribe", "id": 1, "topics": ["block_cemented"]})
        self.sock.sendall(struct.pack(">I", len(payload)) + payload)
        self.error = None

    def run(self):
        buf = b""
        try:
            while True:
                chunk = self.sock.recv(1 << 20)
                if not chunk:
                    self.error = "closed"
                    return
                now = time.time()
                buf += chunk
                i = 0
                while len(buf) - i >= 4:
                    (n,) = struct.unpack_from(">I", buf, i)
                    if len(buf) - i - 4 < n:
                        break
                    p = buf[i + 4:i + 4 + n]
                    i += 4 + n
                    if b"block_cemented" not in p[:48]:
                        continue
                    k = p.find(b"\xa4hash\xc4\x20")
                    if k >= 0:
                        self.cemented[p[k + 7:k + 39]] = now
                    else:  # not the layout we expect: decode properly
                        m, _ = mp_unpack(p)
                        self.cemented[m["hash"]] = now
                buf = buf[i:]
        except OSError as e:
            self.error = repr(e)


class Publisher:
    """Pipelined `process` requests to one node's ledger; replies drained by
    a thread (results counted)."""

    def __init__(self, node):
        self.node = node
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.connect(node.sock("ledger"))
        self.next_id = 0
        self.results = {}
        self.replies = 0
        self.lock = threading.Lock()
        threading.Thread(target=self._drain, daemon=True).start()

    def send(self, wires):
        out = []
        for w in wires:
            self.next_id += 1
            p = mp_pack({"kind": "process", "id": self.next_id, "block": w, "origin": "rpc"})
            out.append(struct.pack(">I", len(p)) + p)
        self.sock.sendall(b"".join(out))

    def _drain(self):
        buf = b""
        while True:
            try:
                chunk = self.sock.recv(1 << 20)
            except OSError:
                return
            if not chunk:
                return
            buf += chunk
            i = 0
            while len(buf) - i >= 4:
                (n,) = struct.unpack_from(">I", buf, i)
                if len(buf) - i - 4 < n:
                    break
                m, _ = mp_unpack(buf[i + 4:i + 4 + n])
                i += 4 + n
                r = m.get("result", m.get("kind"))
                with self.lock:
                    self.results[r] = self.results.get(r, 0) + 1
                    self.replies += 1
            buf = buf[i:]


# ------------------------------------------------------------ /proc and ss


def node_pids(node):
    return [node.proc.pid] + [p for p, st in children_of(node.proc.pid) if st != "Z"]


def cpu_seconds(pids):
    total = 0.0
    for p in pids:
        try:
            with open("/proc/%d/stat" % p) as f:
                st = f.read()
        except OSError:
            continue
        rest = st[st.rfind(")") + 2:].split()
        total += (int(rest[11]) + int(rest[12])) / CLK_TCK
    return total


def perf_start(nodes, outdir, rate):
    """`perf record` on each child kind of every node (one process per
    kind), with DWARF call graphs, until perf_stop: the profile of one
    step. Returns the perf processes."""
    os.makedirs(outdir, exist_ok=True)
    kinds = {}
    for n in nodes:
        for name, pid in n.pids().items():
            if pid:
                kinds.setdefault(name, []).append(str(pid))
    procs = []
    for name, pids in sorted(kinds.items()):
        out = os.path.join(outdir, "%s-%d.data" % (name, rate))
        procs.append(subprocess.Popen(
            ["perf", "record", "-q", "-F", "499", "--call-graph", "dwarf,16384", "-o", out,
             "-p", ",".join(pids)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
    return procs


def perf_stop(procs, outdir):
    for p in procs:
        p.send_signal(signal.SIGINT)
    for p in procs:
        try:
            p.wait(timeout=60)
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait()
    print("       profiles in %s: perf report -i FILE --children --sort symbol" % outdir,
          flush=True)


SYSCALLS = ("pwrite64", "writev", "write", "epoll_wait")


def syscalls_start(nodes):
    """`perf stat` counting SYSCALLS of each child kind (all nodes), from now
    to syscalls_stop: pwrite64 is SQLite's WAL frames (a page each), the
    others socket writes and loop wake-ups. Counts do not depend on the
    machine's load as CPU time does."""
    kinds = {}
    for n in nodes:
        for name, pid in n.pids().items():
            if pid:
                kinds.setdefault(name, []).append(str(pid))
    out = {}
    for name, pids in sorted(kinds.items()):
        ev = ",".join("syscalls:sys_enter_" + c for c in SYSCALLS)
        out[name] = subprocess.Popen(["perf", "stat", "-x", ",", "-e", ev, "-p", ",".join(pids)],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                                     text=True)
    return out


def syscalls_stop(procs):
    """{kind: {syscall: count}}"""
    for p in procs.values():
        p.send_signal(signal.SIGINT)
    res = {}
    for name, p in procs.items():
        _, err = p.communicate(timeout=30)
        counts = {}
        for line in err.splitlines():
            cols = line.split(",")
            if len(cols) > 2 and cols[2].startswith("syscalls:sys_enter_"):
                try:
                    counts[cols[2][len("syscalls:sys_enter_"):]] = int(cols[0])
                except ValueError:
                    pass
        res[name] = counts
    return res


def cpu_by_name(nodes):
    """{process name: CPU seconds summed over the nodes}."""
    out = {}
    for n in nodes:
        named = dict(n.pids(), supervisor=n.proc.pid)
        for name, pid in named.items():
            out[name] = out.get(name, 0.0) + cpu_seconds([pid])
    return out


def wire_bytes(ports):
    """bytes_sent summed over every TCP connection with an end on a peering
    port (each peer link counted from both ends = both directions)."""
    out = subprocess.run(["ss", "-tinH", "state", "established"], capture_output=True,
                         text=True).stdout.splitlines()
    total = 0
    for i in range(0, len(out) - 1):
        cols = out[i].split()
        if len(cols) < 4 or out[i].startswith("\t"):
            continue
        local, peer = cols[2], cols[3]
        try:
            lp, pp = int(local.rsplit(":", 1)[1]), int(peer.rsplit(":", 1)[1])
        except (ValueError, IndexError):
            continue
        if lp not in ports and pp not in ports:
            continue
        info = out[i + 1]
        k = info.find("bytes_sent:")
        if k >= 0:
            total += int(info[k + 11:].split()[0])
    return total


def vote_counts(nodes):
    """Net's vote counters summed over the nodes: votes_in is the peers'
    votes net verified (each also verified by elections), votes_out the
    confirm_acks sent (vote_answers_out: of them answers to a confirm_req),
    vote_reqs_out the confirm_reqs sent."""
    total = {"votes_in": 0, "votes_out": 0, "vote_reqs_out": 0, "vote_answers_out": 0}
    for n in nodes:
        p = n.peers()
        for k in total:
            total[k] += p[k]
    return total


def pct(values, q):
    if not values:
        return float("nan")
    v = sorted(values)
    return v[min(len(v) - 1, int(q * len(v)))]


# ------------------------------------------------------------ main


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("smallnanod")
    ap.add_argument("--nodes", type=int, default=3)
    ap.add_argument("--reps", type=int, default=3)
    ap.add_argument("--split", default=None)
    ap.add_argument("--accounts", type=int, default=24)
    ap.add_argument("--rates", default="500,1000,2000,3000,4000,6000")
    ap.add_argument("--seconds", type=float, default=3.0)
    ap.add_argument("--drain", type=float, default=20.0)
    ap.add_argument("--perf", default=None,
                    help="a directory: perf-record every child kind during each step's publishing")
    ap.add_argument("--syscalls", action="store_true",
                    help="count each child kind's WAL page writes, socket writes and wake-ups "
                         "per block (perf stat); counted until the step's blocks are cemented")
    ap.add_argument("--root", default=None,
                    help="a directory for the nodes' data dirs and logs, kept afterwards")
    args = ap.parse_args()
    rates = [int(r) for r in args.rates.split(",")]
    split = [int(x) for x in args.split.split(",")] if args.split else None
    per_step = [int(r * args.seconds) for r in rates]
    total = sum(per_step)
    per_account = -(-total // args.accounts)
    print("devnet: %d nodes, %d representatives; %d accounts x %d pre-built sends"
          % (args.nodes, args.reps, args.accounts, per_account), flush=True)

    with Devnet(args.smallnanod, nodes=args.nodes, reps=args.reps, split=split,
                root=args.root) as net:
        rep1 = blocks.public_of(net.reps[0]["account"])
        funded = []
        for i in range(args.accounts):
            home = net.nodes[i % args.nodes]
            _, _, key, open_hash = net.fund(home, 1000 * blocks.ONE_SMN)
            funded.append((i, key.private, bytes.fromhex(open_hash), 1000 * blocks.ONE_SMN,
                           rep1, per_account, blocks.Key().public))
        net.wait_confirmed([f[2].hex().upper() for f in funded], 60, what="account opens")
        t0 = time.time()
        with multiprocessing.Pool(os.cpu_count() or 2) as pool:
            chains = dict(pool.map(build_chain, funded))
        print("built %d blocks in %.1f s" % (per_account * args.accounts, time.time() - t0),
              flush=True)

        subs = [Subscriber(n) for n in net.nodes]
        for s in subs:
            s.start()
        pubs = [Publisher(n) for n in net.nodes]
        time.sleep(0.5)
        ports = {n.peer_port for n in net.nodes}
        cursor = [0] * args.accounts
        print("%6s %7s %6s %8s %8s %8s %8s %9s %9s" % (
            "offer", "pub/s", "blocks", "CPS", "p50 ms", "p99 ms", "max ms", "CPU ms/b",
            "wire B/b"))
        results = []
        for rate, n_blocks in zip(rates, per_step):
            # the step's blocks, round robin over the accounts (in chain order)
            order = []
            a = 0
            while len(order) < n_blocks:
                if cursor[a] < per_account:
                    order.append((a, cursor[a]))
                    cursor[a] += 1
                a = (a + 1) % args.accounts
            pids = [p for n in net.nodes for p in node_pids(n)]
            self0 = os.times()
            cpu0, wire0 = cpu_seconds(pids), wire_bytes(ports)
            names0 = cpu_by_name(net.nodes)
            votes0 = vote_counts(net.nodes)
            profilers = perf_start(net.nodes, args.perf, rate) if args.perf else []
            counters = syscalls_start(net.nodes) if args.syscalls else {}
            published = {}
            tick = 0.005
            t_start = time.time()
            k = 0
            while k < len(order):
                due = min(len(order), int((time.time() - t_start) * rate) + 1)
                batch = {i: [] for i in range(args.nodes)}
                now = time.time()
                while k < due:
                    acc, idx = order[k]
                    h, w = chains[acc][idx]
                    batch[acc % args.nodes].append(w)
                    published[h] = now
                    k += 1
                for i, ws in batch.items():
                    if ws:
                        pubs[i].send(ws)
                time.sleep(tick)
            t_pub = time.time() - t_start
            if profilers:
                perf_stop(profilers, args.perf)
            deadline = time.time() + args.drain
            hashes = list(published)
            while time.time() < deadline:
                if all(all(h in s.cemented for h in hashes[-200:]) for s in subs) and \
                        all(len(set(hashes) - s.cemented.keys()) == 0 for s in subs):
                    break
                time.sleep(0.05)
            calls = syscalls_stop(counters) if counters else {}
            cpu1, wire1 = cpu_seconds(pids), wire_bytes(ports)
            self1 = os.times()
            names1 = cpu_by_name(net.nodes)
            votes1 = vote_counts(net.nodes)
            done = [h for h in hashes if all(h in s.cemented for s in subs)]
            lat = [max(s.cemented[h] for s in subs) - published[h] for h in done]
            per_node = [[s.cemented[h] - published[h] for h in hashes if h in s.cemented]
                        for s in subs]
            t_last = max((max(s.cemented[h] for s in subs) for h in done), default=t_start)
            cps = len(done) / (t_last - t_start) if done else 0.0
            row = dict(offer=rate, pub=len(order) / t_pub, blocks=len(order), done=len(done),
                       cps=cps, p50=pct(lat, 0.5) * 1e3, p99=pct(lat, 0.99) * 1e3,
                       max=(max(lat) if lat else float("nan")) * 1e3,
                       cpu=(cpu1 - cpu0) / max(1, len(done)) * 1e3,
                       wire=(wire1 - wire0) / max(1, len(done)),
                       node_p99=[pct(v, 0.99) * 1e3 for v in per_node])
            results.append(row)
            print("%6d %7.0f %6d %8.0f %8.1f %8.1f %8.1f %9.3f %9.0f%s" % (
                rate, row["pub"], len(order), cps, row["p50"], row["p99"], row["max"],
                row["cpu"], row["wire"],
                "" if len(done) == len(order) else
                "  (only %d cemented everywhere within %.0f s: saturated)"
                % (len(done), args.drain)), flush=True)
            print("       per-node p99 ms: %s; CPU ms per block by process (all nodes): %s"
                  % (", ".join("%.1f" % x for x in row["node_p99"]),
                     ", ".join("%s %.3f" % (k, (names1[k] - names0.get(k, 0)) * 1e3 /
                                            max(1, len(done))) for k in sorted(names1))),
                  flush=True)
            print("       per block, all nodes: %s"
                  % ", ".join("%s %.2f" % (k, (votes1[k] - votes0[k]) / max(1, len(done)))
                              for k in sorted(votes1)), flush=True)
            print("       this load generator (publishers, subscribers): CPU %.3f ms per block"
                  % ((self1.user + self1.system - self0.user - self0.system) * 1e3
                     / max(1, len(done))), flush=True)
            for kind in sorted(calls):
                print("       syscalls per block, %s (all nodes): %s" % (kind, ", ".join(
                    "%s %.2f" % (c, calls[kind].get(c, 0) / max(1, len(done)))
                    for c in SYSCALLS)), flush=True)
            if len(done) < len(order) or cps < 0.7 * row["pub"]:
                print("       saturated: stopping here")
                break
        for s in subs:
            if s.error:
                print("subscriber on node %d: %s" % (s.node.index, s.error))
        results_by = {}
        for p in pubs:
            for r, c in p.results.items():
                results_by[r] = results_by.get(r, 0) + c
        print("ledger answers: %r" % results_by)
        print("peak RSS (VmHWM) per node, MiB: ")
        for n in net.nodes:
            kids = {name: vm_hwm_kib(pid) / 1024 for name, pid in n.pids().items()}
            print("  node %d: %s; sum %.1f" % (n.index, ", ".join(
                "%s %.1f" % kv for kv in kids.items()), sum(kids.values())))
        best = max(results, key=lambda r: r["cps"])
        print("best: %.0f CPS at offered %d/s (p50 %.1f ms, p99 %.1f ms on every node)"
              % (best["cps"], best["offer"], best["p50"], best["p99"]))


if __name__ == "__main__":
    main()
