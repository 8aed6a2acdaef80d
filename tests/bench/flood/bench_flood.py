"""Honest confirmation latency and memory under floods (a benchmark, not a
test: run it by hand on a release build, record the figures in
docs/benchmarks.md "Floods").

A two-node loopback devnet (tests/integration/devnet.py), the weight split
50/50 between a representative on node 1 (A, the one attacked) and one on
node 2 (B), so every honest block needs both nodes' votes: A's over A's
net to B, B's over the flood into A's net. Before measuring, chains of
signed sends with work are built offline (devnet_blocks) for accounts held
by A. Each phase lasts --seconds: the attacker (a forked process) floods A
while honest sends are POSTed to A's RPC `process` at --rate per second
(one request and one new connection per send, from a thread pool); a send's latency is from
its POST to the later of its two `block_cemented` notifications (ledger
subscriptions on both nodes). Before each phase the peak RSS of every
child of both nodes is reset (`5` into /proc/PID/clear_refs); after it
VmHWM is read, so each phase's figure is its own peak.

Floods (all from 127.0.0.1, where loopback is disconnected, not banned: a
flooder that is disconnected reconnects and handshakes again):
  baseline      none
  blocks        publish of distinct blocks with valid signature and work
                on unknown accounts whose previous is unknown (gap: the
                ledger keeps them in unchecked, net asks the flooder for
                the missing history), as fast as the socket takes them
  votes         confirm_ack, each a valid signature by a fresh non-
                representative key over 12 random hashes
  confirm_req   12 random (hash, root) pairs per frame
  frontier_req  frontier_req from the zero account
  bulk_pull     bulk_pull of the genesis chain (descending, no limit)
  process       RPC `process` of gap blocks (as `blocks`) from 4 clients
  idle_p2p      500 TCP connections to A's peering port that never send a
                byte, each reopened when A closes it
  slow_rpc      1,100 HTTP connections to A's RPC sending one byte a second
                (A started under RLIMIT_NOFILE 1024, as systemd's default)
  work          6 clients each keeping 6 `work_generate` at the configured
                maximum difficulty in flight (re-asked when refused or
                answered)

Prints one row per phase: honest sends answered/cemented, latency p50 /
p99 / max, RPC errors, the flood's volume, A's net `throttled` counter
delta, disconnects of the flooder, and the peak RSS of every child of A
(and the largest of B's).

usage: bench_flood.py SMALLNANOD [--seconds 10] [--rate 20]
                      [--phases baseline,blocks,...]
"""
import argparse
import http.client
import json
import multiprocessing
import os
import queue
import resource
import selectors
import socket
import struct
import sys
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "integration"))
sys.path.insert(0, os.path.join(HERE, "..", "devnet"))
import devnet_blocks as blocks  # noqa: E402
import p2p  # noqa: E402
from bench_cps import Subscriber, cpu_seconds, pct  # noqa: E402
from devnet import Devnet  # noqa: E402
from nodeutil import vm_hwm_kib  # noqa: E402

PHASES = ["baseline", "blocks", "votes", "confirm_req", "frontier_req", "bulk_pull", "process",
          "idle_p2p", "slow_rpc", "work"]
FD_LIMIT = 1024
# work_generate's ceiling: 2^38 hashes expected, minutes of a core (the dev
# default, the send threshold times 64, takes milliseconds).
WORK_MAX = "ffffffc000000000"
CONFIG = "[rpc]\nwork_max_difficulty = %s\n" % WORK_MAX

# ------------------------------------------------------------ offline material


def build_chain(args):
    i, private, frontier, balance, rep, n = args
    c = blocks.Chain(blocks.Key(private), frontier, balance, rep)
    dest = blocks.Key().public
    return i, [c.send(dest, 1) for _ in range(n)]


def gap_blocks(args):
    """n blocks with valid signature and work, each on a new account whose
    previous block nobody has (wire form, JSON form)."""
    n, seed = args
    out = []
    for k in range(n):
        key = blocks.Key(blocks.blake2b(struct.pack(">QQ", seed, k)))
        b = blocks.Block(key, os.urandom(32), key.public, 1000, os.urandom(32), False)
        out.append((b.wire(), b.json()))
    return out


def votes(args):
    n, seed = args
    out = []
    for k in range(n):
        key = blocks.Key(blocks.blake2b(struct.pack(">QQ", seed, k) + b"v"))
        out.append(p2p.confirm_ack(key, [os.urandom(32) for _ in range(12)], k + 1))
    return out


# ------------------------------------------------------------ floods (forked)


class Stats:
    def __init__(self):
        self.frames = 0
        self.bytes = 0
        self.closed = 0
        self.refused = 0
        self.extra = {}


def peer_flood(port, stop, st, frames_of, per_batch):
    """Handshake, send batches from frames_of(i) until stop; reconnect when
    A closes the channel."""
    i = 0
    while not stop.is_set():
        try:
            peer = p2p.Peer(port, timeout=3.0).handshake()
        except (p2p.HandshakeError, OSError):
            st.refused += 1
            time.sleep(0.05)
            continue
        peer.sock.settimeout(1.0)
        while not stop.is_set() and not peer.closed.is_set():
            batch = frames_of(i)
            i += 1
            try:
                peer.sock.sendall(batch)
            except socket.timeout:
                continue  # A is not reading (its buffers are full): try again
            except OSError:
                break
            st.frames += per_batch
            st.bytes += len(batch)
        st.closed += 1
        peer.close()


def flood_blocks(ctx, stop, st):
    pool = ctx["gap_wire"]
    n = len(pool)
    peer_flood(ctx["peer_port"], stop, st,
               lambda i: b"".join(p2p.publish(pool[(i * 64 + k) % n]) for k in range(64)), 64)


def flood_votes(ctx, stop, st):
    pool = ctx["votes"]
    n = len(pool)
    peer_flood(ctx["peer_port"], stop, st,
               lambda i: b"".join(pool[(i * 64 + k) % n] for k in range(64)), 64)


def flood_confirm_req(ctx, stop, st):
    peer_flood(ctx["peer_port"], stop, st, lambda i: b"".join(
        p2p.confirm_req([(os.urandom(32), os.urandom(32)) for _ in range(12)])
        for _ in range(32)), 32)


def flood_frontier_req(ctx, stop, st):
    f = p2p.frontier_req() * 64
    peer_flood(ctx["peer_port"], stop, st, lambda i: f, 64)


def flood_bulk_pull(ctx, stop, st):
    f = p2p.bulk_pull(blocks.genesis_key().public) * 64
    peer_flood(ctx["peer_port"], stop, st, lambda i: f, 64)


def flood_process(ctx, stop, st):
    pool = ctx["gap_json"]
    lock = threading.Lock()
    nxt = [0]

    def client():
        c = None
        while not stop.is_set():
            with lock:
                k = nxt[0]
                nxt[0] += 1
            body = json.dumps({"action": "process", "json_block": True,
                               "block": pool[k % len(pool)]})
            try:
                if c is None:
                    c = http.client.HTTPConnection("127.0.0.1", ctx["rpc_port"], timeout=10)
                c.request("POST", "/", body=body, headers={"Content-Type": "application/json"})
                r = json.loads(c.getresponse().read())
                with lock:
                    st.frames += 1
                    key = r.get("error", "ok")[:40]
                    st.extra[key] = st.extra.get(key, 0) + 1
            except (OSError, http.client.HTTPException, ValueError):
                st.closed += 1
                if c:
                    c.close()
                c = None
    for _ in range(4):
        threading.Thread(target=client, daemon=True).start()
    stop.wait()


def flood_idle_p2p(ctx, stop, st):
    sel = selectors.DefaultSelector()
    addr = ("127.0.0.1", ctx["peer_port"])

    def open_one():
        s = socket.socket()
        s.setblocking(False)
        s.connect_ex(addr)
        sel.register(s, selectors.EVENT_READ)
        st.frames += 1
    for _ in range(500):
        open_one()
    while not stop.is_set():
        for key, _ in sel.select(timeout=0.05):
            s = key.fileobj
            try:
                gone = s.recv(4096) == b""
            except BlockingIOError:
                gone = False
            except OSError:
                gone = True
            if gone:
                sel.unregister(s)
                s.close()
                st.closed += 1
                open_one()


SLOW_REQUEST = b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 30\r\n\r\n"


def flood_slow_rpc(ctx, stop, st):
    socks = [None] * 1100
    pos = [0] * 1100

    def connect(k):
        s = socket.socket()
        s.setblocking(False)
        try:
            s.connect(("127.0.0.1", ctx["rpc_port"]))
        except BlockingIOError:
            pass
        except OSError:
            s.close()
            return
        socks[k], pos[k] = s, 0
        st.frames += 1
    for k in range(len(socks)):
        connect(k)
    while not stop.is_set():
        for k, s in enumerate(socks):
            if s is None:
                connect(k)
                continue
            try:
                s.send(SLOW_REQUEST[pos[k] % len(SLOW_REQUEST):][:1])
                pos[k] += 1
                st.bytes += 1
            except (BlockingIOError, InterruptedError):
                pass
            except OSError:
                s.close()
                socks[k] = None
                st.closed += 1
        stop.wait(1.0)
    for s in socks:
        if s:
            s.close()


def flood_work(ctx, stop, st):
    lock = threading.Lock()

    def client(c_i, j):
        root = blocks.blake2b(struct.pack(">II", c_i, j)).hex().upper()
        # one source address per client: the per-client limit is per address
        src = "127.0.%d.%d" % (10 + c_i, 1)
        while not stop.is_set():
            c = None
            try:
                c = http.client.HTTPConnection("127.0.0.1", ctx["rpc_port"], timeout=60,
                                               source_address=(src, 0))
                c.request("POST", "/", body=json.dumps(
                    {"action": "work_generate", "hash": root,
                     "difficulty": ctx["work_max"]}),
                    headers={"Content-Type": "application/json"})
                r = json.loads(c.getresponse().read())
                c.close()
                with lock:
                    st.frames += 1
                    key = r.get("error", "work")[:40]
                    st.extra[key] = st.extra.get(key, 0) + 1
                stop.wait(0.2)
            except (OSError, http.client.HTTPException, ValueError):
                st.closed += 1
                if c:
                    c.close()
                stop.wait(0.2)
    for i in range(6):
        for j in range(6):
            threading.Thread(target=client, args=(i, j), daemon=True).start()
    stop.wait()
    # end the searches still running (they take minutes)
    for i in range(6):
        for j in range(6):
            root = blocks.blake2b(struct.pack(">II", i, j)).hex().upper()
            try:
                c = http.client.HTTPConnection("127.0.0.1", ctx["rpc_port"], timeout=5)
                c.request("POST", "/", body=json.dumps({"action": "work_cancel", "hash": root}),
                          headers={"Content-Type": "application/json"})
                c.getresponse().read()
                c.close()
            except (OSError, http.client.HTTPException):
                st.extra["work_cancel failed"] = st.extra.get("work_cancel failed", 0) + 1


FLOODS = {"blocks": flood_blocks, "votes": flood_votes, "confirm_req": flood_confirm_req,
          "frontier_req": flood_frontier_req, "bulk_pull": flood_bulk_pull,
          "process": flood_process, "idle_p2p": flood_idle_p2p, "slow_rpc": flood_slow_rpc,
          "work": flood_work}


def flood_main(name, ctx, stop, out):
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, 8192), hard))
    st = Stats()
    try:
        FLOODS[name](ctx, stop, st)
    finally:
        out.put({"frames": st.frames, "bytes": st.bytes, "closed": st.closed,
                 "refused": st.refused, "extra": st.extra})


# ------------------------------------------------------------ honest traffic


class Honest:
    """POSTs pre-built sends to A's RPC `process` at `rate` per second from
    a pool of threads, a new connection per send (as a wallet would: under
    the slow-connection flood an honest client must get a slot)."""

    def __init__(self, port, threads=8):
        self.port = port
        self.q = queue.Queue()
        self.posted = {}
        self.errors = []
        self.lock = threading.Lock()
        for _ in range(threads):
            threading.Thread(target=self._run, daemon=True).start()

    def _run(self):
        while True:
            b = self.q.get()
            t0 = time.time()
            with self.lock:
                self.posted[b.hash] = t0
            body = json.dumps({"action": "process", "json_block": True, "block": b.json()})
            for attempt in (0, 1):
                c = http.client.HTTPConnection("127.0.0.1", self.port, timeout=15)
                try:
                    c.request("POST", "/", body=body,
                              headers={"Content-Type": "application/json", "Connection": "close"})
                    r = json.loads(c.getresponse().read())
                    if r.get("hash") != b.hash_hex:
                        with self.lock:
                            self.errors.append(str(r.get("error", r))[:60])
                    break
                except (OSError, http.client.HTTPException, ValueError) as e:
                    if attempt:
                        with self.lock:
                            self.errors.append(type(e).__name__)
                finally:
                    c.close()

    def run(self, chain_blocks, rate, seconds):
        """Schedules rate*seconds sends (taken round robin from the chains)."""
        n = int(rate * seconds)
        t0 = time.time()
        out = []
        for k in range(n):
            delay = t0 + k / rate - time.time()
            if delay > 0:
                time.sleep(delay)
            b = chain_blocks()
            out.append(b)
            self.q.put(b)
        return out


# ------------------------------------------------------------ /proc


def throttled(node):
    """Inbound messages (and confirm_req pairs) A's net dropped at its gates."""
    st = node.peers()
    return st["throttled"] + st["vote_reqs_throttled"]


def reset_hwm(pids):
    for p in pids:
        try:
            with open("/proc/%d/clear_refs" % p, "w") as f:
                f.write("5")
        except OSError:
            pass


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("smallnanod")
    ap.add_argument("--seconds", type=float, default=10.0)
    ap.add_argument("--rate", type=float, default=20.0)
    ap.add_argument("--drain", type=float, default=20.0)
    ap.add_argument("--phases", default=",".join(PHASES))
    args = ap.parse_args()
    phases = args.phases.split(",")
    for p in phases:
        if p != "baseline" and p not in FLOODS:
            sys.exit("unknown phase %r (known: %s)" % (p, ", ".join(PHASES)))
    per_phase = int(args.rate * args.seconds)
    accounts = 4
    per_account = -(-per_phase * len(phases) // accounts) + 1

    # Node processes inherit RLIMIT_NOFILE 1024 (systemd's default); this
    # process raises its own again afterwards for the floods.
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (FD_LIMIT, hard))
    t_setup = time.time()
    with Devnet(args.smallnanod, nodes=2, reps=2, split=[50, 50], extra_config=CONFIG) as net:
        resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, 8192), hard))
        a, b = net.nodes
        rep_a = blocks.public_of(net.reps[0]["account"])
        funded = []
        for i in range(accounts):
            _, _, key, open_hash = net.fund(a, 1000 * blocks.ONE_SMN)
            funded.append((i, key.private, bytes.fromhex(open_hash), 1000 * blocks.ONE_SMN,
                           rep_a, per_account))
        net.wait_confirmed([f[2].hex().upper() for f in funded], 60, what="account opens")
        with multiprocessing.Pool(os.cpu_count() or 2) as pool:
            chains = dict(pool.map(build_chain, funded))
            gap = [x for part in pool.map(gap_blocks, [(5000, s) for s in range(8)])
                   for x in part]
            vts = [x for part in pool.map(votes, [(5000, s) for s in range(8)]) for x in part]
        ctx = {"peer_port": a.peer_port, "rpc_port": a.rpc_port,
               "gap_wire": [w for w, _ in gap], "gap_json": [j for _, j in gap],
               "votes": vts, "work_max": WORK_MAX}
        with open("/proc/%d/limits" % a.pids()["rpc"]) as f:
            lim = [l for l in f if l.startswith("Max open files")][0].split()[3]
        print("setup %.0f s: %d honest sends pre-built on %d accounts, %d gap blocks, %d votes;"
              " A's rpc RLIMIT_NOFILE %s" % (time.time() - t_setup, per_account * accounts,
                                              accounts, len(gap), len(vts), lim), flush=True)

        subs = [Subscriber(n) for n in net.nodes]
        for s in subs:
            s.start()
        honest = Honest(a.rpc_port)
        rr = [0]

        def next_block():
            k = rr[0]
            rr[0] += 1
            return chains[k % accounts][k // accounts]

        names = list(a.pids().keys())
        print("%-12s %5s %5s %8s %8s %8s %5s %-34s %6s  peak RSS of A's children (MiB); "
              "B's largest" % ("phase", "sent", "cem", "p50 ms", "p99 ms", "max ms", "err",
                               "flood", "thrott"))
        rows = []
        for phase in phases:
            pids_a, pids_b = a.pids(), b.pids()
            reset_hwm([p for p in list(pids_a.values()) + list(pids_b.values()) if p])
            thr0 = throttled(a)
            cpu0 = {(i, n): cpu_seconds([p]) for i, node in ((0, pids_a), (1, pids_b))
                    for n, p in node.items() if p}
            t_cpu = time.time()
            proc = None
            out = multiprocessing.Queue()
            stop = multiprocessing.Event()
            if phase != "baseline":
                proc = multiprocessing.Process(target=flood_main,
                                               args=(phase, ctx, stop, out), daemon=True)
                proc.start()
                time.sleep(1.0)  # the flood is on before the first honest send
            err0 = len(honest.errors)
            sent = honest.run(next_block, args.rate, args.seconds)
            deadline = time.time() + args.drain
            hashes = [x.hash for x in sent]
            while time.time() < deadline:
                if all(all(h in s.cemented for h in hashes) for s in subs):
                    break
                time.sleep(0.05)
            fl = {}
            if proc:
                stop.set()
                try:
                    fl = out.get(timeout=15)
                except queue.Empty:
                    fl = {"frames": -1}
                proc.join(timeout=5)
                if proc.is_alive():
                    proc.kill()
            wall = time.time() - t_cpu
            cpu = {k: (cpu_seconds([(pids_a, pids_b)[k[0]][k[1]]]) - v) / wall
                   for k, v in cpu0.items()}
            hwm_a = {n: vm_hwm_kib(pids_a[n] or 0) / 1024 for n in names}
            hwm_b = max(vm_hwm_kib(p or 0) for p in pids_b.values()) / 1024
            thr = throttled(a) - thr0
            with honest.lock:
                posted = dict(honest.posted)
                errs = honest.errors[err0:]
            done = [h for h in hashes if all(h in s.cemented for s in subs)]
            lat = [max(s.cemented[h] for s in subs) - posted[h] for h in done]
            desc = ""
            if fl:
                desc = "%d sent, %d closed" % (fl["frames"], fl["closed"])
                if fl.get("refused"):
                    desc += ", %d refused" % fl["refused"]
            row = dict(phase=phase, sent=len(sent), cemented=len(done),
                       p50=pct(lat, 0.5) * 1e3, p99=pct(lat, 0.99) * 1e3,
                       max=(max(lat) if lat else float("nan")) * 1e3, errors=len(errs),
                       flood=desc, throttled=thr, hwm=hwm_a, hwm_b=hwm_b,
                       extra=fl.get("extra"), errs=errs[:3])
            rows.append(row)
            print("%-12s %5d %5d %8.1f %8.1f %8.1f %5d %-34s %6d  %s; B %.1f" % (
                phase, len(sent), len(done), row["p50"], row["p99"], row["max"], len(errs),
                desc, thr, " ".join("%s %.1f" % (n[:4], v) for n, v in hwm_a.items()),
                hwm_b), flush=True)
            busy = sorted(cpu.items(), key=lambda kv: -kv[1])[:4]
            print("             CPU (share of a core): %s" % ", ".join(
                "%s %s %.0f%%" % ("AB"[i], n, 100 * c) for (i, n), c in busy), flush=True)
            row["cpu"] = {"%s.%s" % ("AB"[i], n): c for (i, n), c in cpu.items()}
            if fl.get("extra"):
                print("             flood answers: %s" % fl["extra"], flush=True)
            if errs:
                print("             honest errors: %s" % errs[:3], flush=True)
            dead = net.dead()
            if dead:
                sys.exit("node(s) died: %r" % dead)
            time.sleep(1.0)
        st = {p["name"]: p for p in a.status()}
        print("A's children after all phases: %s" % ", ".join(
            "%s %s restarts %s" % (n, p["state"], p.get("restarts", "?")) for n, p in st.items()))


if __name__ == "__main__":
    main()
