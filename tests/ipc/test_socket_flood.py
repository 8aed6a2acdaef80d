"""Local sockets are bounded: 200 clients each send half of a 1 MiB frame to
ledger.sock and then nothing. The ledger serves at most 128 clients at once
(the rest are accepted and closed at once), closes the others once their
incomplete frame has been silent for 10 s, and its RSS (VmRSS in
/proc/PID/status) returns near where it started. Meanwhile the ledger keeps
its pid and still answers a ping.

ASan keeps freed memory in a quarantine (256 MB by default) and hands pages
back to the kernel only every few seconds; this test runs the node with a
small quarantine so RSS measures the program's own memory.

usage: test_socket_flood.py SMALLNANOD
"""
import errno
import os
import select
import socket
import struct
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "integration"))
from nodeutil import Node, call, fail  # noqa: E402

CLIENTS = 200
CAP = 128  # ipc_endpoint_opts.max_conns default
FRAME = 1 << 20
HALF = FRAME // 2
TIMEOUT_S = 10  # ipc_endpoint_opts.partial_timeout_ms default


def rss_kb(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise AssertionError("no VmRSS for %d" % pid)


def main():
    env = {"ASAN_OPTIONS": os.environ.get("ASAN_OPTIONS", "detect_leaks=1:abort_on_error=1")
           + ":quarantine_size_mb=1:allocator_release_to_os_interval_ms=100"}
    with Node(sys.argv[1], "", env=env) as node:
        procs = node.wait_ready()
        pid = procs["ledger"]["pid"]
        time.sleep(1.0)  # let start-up allocations settle
        start = rss_kb(pid)
        payload = struct.pack(">I", FRAME) + b"\x81" + b"\x00" * (HALF - 5)
        socks = []
        for _ in range(CLIENTS):
            s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            s.connect(node.sock("ledger"))
            s.setblocking(False)
            socks.append(s)
        sent = {s: 0 for s in socks}
        refused = set()
        t0 = time.time()
        # Push every half frame; refused clients see EPIPE/ECONNRESET or EOF.
        while time.time() - t0 < 30:
            todo = [s for s in socks if s not in refused and sent[s] < len(payload)]
            if not todo:
                break
            _, w, _ = select.select([], todo, [], 0.5)
            for s in w:
                try:
                    sent[s] += s.send(payload[sent[s]:sent[s] + 65536])
                except OSError as e:
                    if e.errno in (errno.EPIPE, errno.ECONNRESET):
                        refused.add(s)
                    elif e.errno != errno.EAGAIN:
                        raise
            # A refused client may not notice on send while its buffer has room.
            r, _, _ = select.select([s for s in todo if s not in refused], [], [], 0)
            for s in r:
                try:
                    if s.recv(1) == b"":
                        refused.add(s)
                except OSError:
                    refused.add(s)
        held = [s for s in socks if s not in refused]
        # The node's own processes hold a few of the CAP slots.
        if not CAP - 10 <= len(held) <= CAP or len(held) + len(refused) != CLIENTS:
            fail("%d clients held, %d refused: expected the cap of %d" % (len(held), len(refused), CAP))
        if any(sent[s] != len(payload) for s in held):
            fail("the ledger did not read every held client's half frame")
        t_sent = time.time()
        peak = rss_kb(pid)
        if peak - start < CAP * HALF // 1024 // 2:
            fail("RSS only went %d -> %d kB: the flood did not reach the ledger" % (start, peak))

        # No more bytes: each held client is closed partial_timeout after its last byte.
        closed = set()
        deadline = t_sent + TIMEOUT_S + 15
        while len(closed) < len(held) and time.time() < deadline:
            r, _, _ = select.select([s for s in held if s not in closed], [], [], 0.5)
            for s in r:
                try:
                    if s.recv(1) == b"":
                        closed.add(s)
                except OSError:
                    closed.add(s)
        t_closed = time.time() - t_sent
        if len(closed) != len(held):
            fail("%d of %d clients still open %.0f s after their last byte"
                 % (len(held) - len(closed), len(held), time.time() - t_sent))
        if t_closed < TIMEOUT_S - 1:
            fail("clients closed after %.1f s, before the %d s timeout" % (t_closed, TIMEOUT_S))
        for s in socks:
            s.close()

        end = rss_kb(pid)
        deadline = time.time() + 5
        while end - start > 20 * 1024 and time.time() < deadline:
            time.sleep(0.2)
            end = rss_kb(pid)
        if end - start > 20 * 1024:
            fail("ledger RSS %d -> %d kB during the flood, still %d kB after" % (start, peak, end))
        now = {p["name"]: p for p in node.status()}
        if now["ledger"]["pid"] != pid or now["ledger"]["state"] != "running":
            fail("the ledger did not survive the flood: %r" % now["ledger"])
        pong = call(node.sock("ledger"), "ping", seq=5)
        if pong.get("seq") != 5:
            fail("ledger answered %r" % pong)
        log = node.read_log()
        if "refusing a connection" not in log or "incomplete frame, then nothing for 10000 ms" not in log:
            fail("no log lines for the refusals and the timeouts\n" + log[-3000:])
        print("ok: %d held, %d refused, closed after %.1f s; ledger RSS %d -> %d -> %d kB"
              % (len(held), len(refused), t_closed, start, peak, end))


if __name__ == "__main__":
    main()
