"""The vm process in a real dev node (smallnanod + six children).

NanoVM messages built by vmblocks (burns to the burn account, a token etch
and mint as chunked sends, a commit) are submitted to ledger.sock and
confirmed; then, on DATA_DIR/run/vm-events.sock:
  - a subscriber from cursor 0 gets every event in cursor order, each with
    its block hash and height, then caught_up, then live events;
  - after a disconnect, resuming from the last cursor gives only later events;
  - filters (kind, program, account) select what they say;
  - a subscriber that does not read is cut off with "slow_consumer" and can
    resume from the cursor in that message;
and `smallnano-cli vm verify` answers ok, `vm root` / `vm events` read the DB;
finally the vm child is stopped, blocks are cemented while it is down, it is
SIGKILLed, the supervisor restarts it and it catches up from the ledger DB.

usage: test_vm_proc.py SMALLNANOD SMALLNANO_CLI VMBLOCKS
"""
import os
import signal
import socket
import struct
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..",
                                "integration"))
from nodeutil import Client, IpcError, Node, fail, mp_pack, mp_unpack  # noqa: E402

CONFIG = """
[supervisor]
max_restarts = 20
max_restart_window_s = 60
restart_backoff_ms = 20
restart_backoff_max_ms = 200
heartbeat_interval_ms = 200
heartbeat_timeout_ms = 10000
"""



def free_port():
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


NSLOW = 120  # burns in phase 3: well past a 1 KiB buffer plus the socket's
TOKEN_ID = b"smn.token" + bytes(23)
VSMN_ID = b"smn.vsmn" + bytes(24)


def check(cond, msg):
    if not cond:
        fail(msg)


def vmblocks(tool):
    out = subprocess.run([tool, str(NSLOW)], check=True, capture_output=True, text=True).stdout
    phases = {}
    for line in out.splitlines():
        p, b, h = line.split()
        phases.setdefault(int(p), []).append((bytes.fromhex(b), bytes.fromhex(h)))
    return phases


class Events:
    """A client of the event socket."""

    def __init__(self, path, timeout=10.0, rcvbuf=None):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        if rcvbuf:
            self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)
        self.sock.settimeout(timeout)
        self.sock.connect(path)
        self.buf = b""

    def close(self):
        self.sock.close()

    def _read(self, n):
        while len(self.buf) < n:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise EOFError("connection closed")
            self.buf += chunk
        out, self.buf = self.buf[:n], self.buf[n:]
        return out

    def frame(self):
        (n,) = struct.unpack(">I", self._read(4))
        msg, _ = mp_unpack(self._read(n))
        return msg

    def send(self, msg):
        payload = mp_pack(msg)
        self.sock.sendall(struct.pack(">I", len(payload)) + payload)

    def subscribe(self, **fields):
        msg = {"kind": "subscribe", "id": 1}
        msg.update(fields)
        self.send(msg)
        r = self.frame()
        check(r.get("re") == 1, "no reply to subscribe: %r" % r)
        if r["kind"] == "error":
            raise IpcError(r.get("message"))
        check(r["kind"] == "subscribed" and isinstance(r["head"], int), "subscribe: %r" % r)
        return r

    def until(self, pred, timeout=15.0):
        """Frames until pred(frame) is true (that frame included)."""
        out = []
        deadline = time.time() + timeout
        while True:
            self.sock.settimeout(max(0.05, deadline - time.time()))
            try:
                m = self.frame()
            except socket.timeout:
                fail("timed out waiting; got %d frames, last %r" % (len(out), out[-3:]))
            out.append(m)
            if pred(m):
                return out


def events_of(frames):
    return [m for m in frames if m["kind"] == "event"]


def check_event_shape(e):
    check(len(e["block_hash"]) == 32 and len(e["account"]) == 32 and len(e["program"]) == 32 and
          e["height"] >= 1 and e["cursor"] >= 1 and isinstance(e["data"], bytes),
          "malformed event %r" % e)


def submit(node, blocks):
    c = Client(node.sock("ledger"), timeout=30.0)
    try:
        for b, h in blocks:
            r = c.request("process", block=b, origin="rpc")
            check(r["result"] == "accepted" and r["hash"] == h, "process: %r" % r)
        # Elections confirm on dev; confirming ourselves too is idempotent.
        c.request("confirm", hash=blocks[-1][1])
    finally:
        c.close()


def cli(tool, node, *args, expect=0):
    p = subprocess.run([tool, "--data-dir", node.data] + list(args), capture_output=True,
                       text=True, timeout=60)
    check(p.returncode == expect, "cli %s: status %d (want %d)\nstdout: %s\nstderr: %s" %
          (" ".join(args), p.returncode, expect, p.stdout, p.stderr))
    return p.stdout


def wait_events(node, sock_path, hashes, timeout=15.0):
    """Subscribe from 0 until events exist for every block hash in hashes."""
    deadline = time.time() + timeout
    want = set(hashes)
    while time.time() < deadline:
        try:
            ev = Events(sock_path)
        except OSError:
            time.sleep(0.05)
            continue
        try:
            ev.subscribe()
            frames = ev.until(lambda m: m["kind"] == "caught_up")
            got = {e["block_hash"] for e in events_of(frames)}
            if want <= got:
                return events_of(frames)
        except (EOFError, OSError):
            pass
        finally:
            ev.close()
        time.sleep(0.1)
    fail("events for %d blocks not indexed in %.0f s\n%s" % (len(want), timeout, node.read_log()))


def main():
    smallnanod, tool, blocks_tool = sys.argv[1:4]
    phases = vmblocks(blocks_tool)
    # Other nodes may run on this machine: free loopback ports, not the defaults.
    config = CONFIG + "[net]\nport = %d\n[rpc]\nport = %d\n" % (free_port(), free_port())
    with Node(smallnanod, config) as node:
        procs = node.wait_ready()
        evsock = os.path.join(node.data, "run", "vm-events.sock")

        # ---- phase 1: backlog from 0, caught_up, then live
        submit(node, phases[1])
        burn1 = [h for _, h in phases[1][:3]]
        all1 = wait_events(node, evsock, burn1 + [phases[1][-1][1]])
        ev = Events(evsock)
        ev.subscribe(**{"from": 0})
        frames = ev.until(lambda m: m["kind"] == "caught_up")
        got = events_of(frames)
        check(got == all1, "two subscriptions from 0 saw different events")
        cursors = [e["cursor"] for e in got]
        check(cursors == sorted(cursors) and len(set(cursors)) == len(cursors),
              "cursors not increasing: %r" % cursors)
        for e in got:
            check_event_shape(e)
        types = [e["type"] for e in got]
        mints = [e for e in got if e["type"] == "vsmn.mint"]
        check([e["block_hash"] for e in mints] == burn1, "vsmn.mint events %r" % mints)
        check(all(e["program"] == VSMN_ID and e["height"] in (2, 3, 4) for e in mints),
              "vsmn.mint program/height: %r" % mints)
        check("token.etch" in types and "token.mint" in types and "commit" in types,
              "token/commit events missing: %r" % types)
        etch = next(e for e in got if e["type"] == "token.etch")
        check(etch["data"][:1] == b"\x00", "etch failed: %r" % etch)
        last = frames[-1]["cursor"]
        check(last == cursors[-1], "caught_up cursor %r, last event %r" % (last, cursors[-1]))

        # live: phase 2 arrives on the open subscription
        submit(node, phases[2])
        live = events_of(ev.until(lambda m: m["kind"] == "event" and
                                  m["block_hash"] == phases[2][-1][1]))
        check([e["block_hash"] for e in live] == [h for _, h in phases[2]],
              "live events: %r" % live)
        check(live[0]["cursor"] > last, "live cursor not after the backlog")
        ev.close()
        print("backlog + live: %d events, then %d live" % (len(got), len(live)))

        # ---- resume from a cursor: only later events
        ev = Events(evsock)
        ev.subscribe(**{"from": last})
        again = events_of(ev.until(lambda m: m["kind"] == "caught_up"))
        check(again == live, "resume from %d gave %r, want the 2 later events" % (last, again))
        ev.close()

        # ---- filters
        ev = Events(evsock)
        ev.subscribe(type="token")
        tok = events_of(ev.until(lambda m: m["kind"] == "caught_up"))
        check([e["type"] for e in tok] == ["token.etch", "token.mint"], "kind filter: %r" % tok)
        ev.close()
        ev = Events(evsock)
        ev.subscribe(program=VSMN_ID, type="vsmn.mint", account=phases[1][0][0][:32])
        vs = events_of(ev.until(lambda m: m["kind"] == "caught_up"))
        check(len(vs) == 5 and all(e["type"] == "vsmn.mint" for e in vs), "program filter: %r" % vs)
        ev.close()
        ev = Events(evsock)
        try:
            ev.subscribe(program=b"short")
            fail("a 5-byte program filter was accepted")
        except IpcError as e:
            check("program" in str(e), "bad filter error: %s" % e)
        ev.close()

        # ---- a slow subscriber is disconnected with the reason, then resumes
        head = live[-1]["cursor"]
        slow = Events(evsock, rcvbuf=4096)
        slow.subscribe(**{"from": head, "buffer": 1024})
        slow.until(lambda m: m["kind"] == "caught_up")
        submit(node, phases[3])
        frames = slow.until(lambda m: m["kind"] == "disconnect", timeout=30.0)
        d = frames[-1]
        seen = events_of(frames)
        check(d["reason"] == "slow_consumer", "disconnect reason %r" % d)
        check(len(seen) < NSLOW, "the slow subscriber got all %d events" % len(seen))
        check(d["cursor"] == (seen[-1]["cursor"] if seen else head),
              "disconnect cursor %r, last event %r" % (d["cursor"], seen[-1:]))
        try:
            slow.frame()
            fail("the connection stayed open after disconnect")
        except EOFError:
            pass
        slow.close()
        last3 = phases[3][-1][1]
        rest = []
        deadline = time.time() + 15
        while not any(e["block_hash"] == last3 for e in rest) and time.time() < deadline:
            ev = Events(evsock)
            ev.subscribe(**{"from": d["cursor"]})
            rest = events_of(ev.until(lambda m: m["kind"] == "caught_up"))
            ev.close()
        check([e["block_hash"] for e in seen + rest] == [h for _, h in phases[3]],
              "slow subscriber + resume did not give every phase-3 event exactly once")
        print("slow consumer: cut after %d of %d events, resumed with %d" %
              (len(seen), NSLOW, len(rest)))

        # ---- the CLI on the live node
        out = cli(tool, node, "vm", "verify")
        check(out.startswith("ok: ") and "programs" in out, "vm verify: %r" % out)
        print("vm verify: " + out.strip())
        root = cli(tool, node, "vm", "root", "smn.vsmn").strip()
        check(len(root) == 64 and root != "0" * 64, "vm root: %r" % root)
        j = cli(tool, node, "vm", "events", "--kind", "token", "--json")
        check('"type":"token.etch"' in j and '"type":"token.mint"' in j, "vm events: %r" % j)
        lines = cli(tool, node, "vm", "events", "--from", str(last), "--limit", "2").splitlines()
        check(len(lines) == 2 and all(" vsmn.mint " in l for l in lines), "vm events: %r" % lines)
        cli(tool, node, "vm", "root", "00" * 32, expect=1)

        # ---- SIGKILL: blocks cemented while the vm is down are caught up
        vm_pid = procs["vm"]["pid"]
        os.kill(vm_pid, signal.SIGSTOP)  # hears nothing from here on
        submit(node, phases[4])
        os.kill(vm_pid, signal.SIGKILL)
        node.wait_ready(exclude_pids={vm_pid})
        after = wait_events(node, evsock, [h for _, h in phases[4]])
        n4 = [e for e in after if e["block_hash"] in {h for _, h in phases[4]}]
        check(len(n4) == 3, "phase-4 events after the restart: %r" % n4)
        out = cli(tool, node, "vm", "verify")
        check(out.startswith("ok: "), "vm verify after the restart: %r" % out)
        errors = [l for l in node.read_log().splitlines() if l.startswith("error vm:")]
        check(not errors, "the vm logged errors: %r" % errors[:5])
        print("restart: caught up %d events; " % len(n4) + out.strip())
    print("vm_proc: ok")


if __name__ == "__main__":
    main()
