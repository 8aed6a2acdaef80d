"""Helpers for node-level tests: start smallnanod in a temp dir, talk to its
sockets, inspect /proc, and always clean up every process started.

The IPC wire format is reimplemented here independently (u32 big-endian
length + one msgpack map), which also checks the C side against a second
implementation of the format.
"""
import hashlib
import os
import shutil
import signal
import socket
import sqlite3
import struct
import subprocess
import sys
import tempfile
import time

NAMES = ["ledger", "net", "elections", "bootstrap", "vm", "rpc", "ws"]

# ---------------------------------------------------------------- msgpack


def mp_pack(v):
    if v is True:
        return b"\xc3"
    if v is False:
        return b"\xc2"
    if v is None:
        return b"\xc0"
    if isinstance(v, int):
        if 0 <= v < 128:
            return bytes([v])
        if v >= 0:
            return b"\xcf" + struct.pack(">Q", v)
        if v >= -32:
            return struct.pack(">b", v)
        return b"\xd3" + struct.pack(">q", v)
    if isinstance(v, str):
        b = v.encode()
        return b"\xdb" + struct.pack(">I", len(b)) + b
    if isinstance(v, (bytes, bytearray)):
        return b"\xc6" + struct.pack(">I", len(v)) + bytes(v)
    if isinstance(v, list):
        return b"\xdd" + struct.pack(">I", len(v)) + b"".join(mp_pack(x) for x in v)
    if isinstance(v, dict):
        out = b"\xdf" + struct.pack(">I", len(v))
        for k, x in v.items():
            out += mp_pack(k) + mp_pack(x)
        return out
    raise TypeError(type(v))


def mp_unpack(buf, i=0):
    b = buf[i]
    i += 1
    if b <= 0x7F:
        return b, i
    if b >= 0xE0:
        return b - 256, i
    if 0x80 <= b <= 0x8F:
        return _map(buf, i, b & 0x0F)
    if 0x90 <= b <= 0x9F:
        return _arr(buf, i, b & 0x0F)
    if 0xA0 <= b <= 0xBF:
        n = b & 0x1F
        return buf[i:i + n].decode(), i + n
    if b == 0xC0:
        return None, i
    if b in (0xC2, 0xC3):
        return b == 0xC3, i
    fixed = {0xCC: ">B", 0xCD: ">H", 0xCE: ">I", 0xCF: ">Q",
             0xD0: ">b", 0xD1: ">h", 0xD2: ">i", 0xD3: ">q"}
    if b in fixed:
        f = fixed[b]
        n = struct.calcsize(f)
        return struct.unpack(f, buf[i:i + n])[0], i + n
    lens = {0xD9: ">B", 0xDA: ">H", 0xDB: ">I", 0xC4: ">B", 0xC5: ">H", 0xC6: ">I"}
    if b in lens:
        f = lens[b]
        k = struct.calcsize(f)
        n = struct.unpack(f, buf[i:i + k])[0]
        i += k
        raw = buf[i:i + n]
        return (raw.decode() if b >= 0xD9 else bytes(raw)), i + n
    if b in (0xDC, 0xDD):
        f = ">H" if b == 0xDC else ">I"
        k = struct.calcsize(f)
        return _arr(buf, i + k, struct.unpack(f, buf[i:i + k])[0])
    if b in (0xDE, 0xDF):
        f = ">H" if b == 0xDE else ">I"
        k = struct.calcsize(f)
        return _map(buf, i + k, struct.unpack(f, buf[i:i + k])[0])
    raise ValueError("unsupported msgpack byte 0x%02x" % b)


def _arr(buf, i, n):
    out = []
    for _ in range(n):
        v, i = mp_unpack(buf, i)
        out.append(v)
    return out, i


def _map(buf, i, n):
    out = {}
    for _ in range(n):
        k, i = mp_unpack(buf, i)
        v, i = mp_unpack(buf, i)
        out[k] = v
    return out, i


# ---------------------------------------------------------------- client


class IpcError(Exception):
    pass


class Client:
    """One connection to an IPC socket; request() returns the reply map."""

    def __init__(self, path, timeout=5.0):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.settimeout(timeout)
        self.sock.connect(path)
        self.next_id = 0

    def close(self):
        self.sock.close()

    def _read(self, n):
        out = b""
        while len(out) < n:
            chunk = self.sock.recv(n - len(out))
            if not chunk:
                raise IpcError("connection closed")
            out += chunk
        return out

    def request(self, kind, **fields):
        self.next_id += 1
        msg = {"kind": kind, "id": self.next_id}
        msg.update(fields)
        payload = mp_pack(msg)
        self.sock.sendall(struct.pack(">I", len(payload)) + payload)
        while True:
            (n,) = struct.unpack(">I", self._read(4))
            reply, end = mp_unpack(self._read(n))
            if reply.get("re") == self.next_id:
                if reply.get("kind") == "error":
                    raise IpcError(reply.get("message"))
                return reply


def call(path, kind, timeout=5.0, **fields):
    c = Client(path, timeout)
    try:
        return c.request(kind, **fields)
    finally:
        c.close()


# ---------------------------------------------------------------- /proc


def children_of(pid):
    kids = []
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        try:
            with open("/proc/%s/stat" % d) as f:
                st = f.read()
        except OSError:
            continue
        rest = st[st.rfind(")") + 2:].split()
        if int(rest[1]) == pid:
            kids.append((int(d), rest[0]))
    return kids


def zombies_of(pid):
    return [p for p, state in children_of(pid) if state == "Z"]


def _status_kib(pid, field):
    try:
        with open("/proc/%d/status" % pid) as f:
            for line in f:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def vm_hwm_kib(pid):
    """Peak resident memory (VmHWM) of pid in KiB; 0 when it is gone."""
    return _status_kib(pid, "VmHWM")


def vm_rss_kib(pid):
    """Resident memory (VmRSS) of pid in KiB; 0 when it is gone."""
    return _status_kib(pid, "VmRSS")


def fd_count(pid):
    return len(os.listdir("/proc/%d/fd" % pid))


def cmdline(pid):
    try:
        with open("/proc/%d/cmdline" % pid, "rb") as f:
            return f.read()
    except OSError:
        return b""


def alive(pid):
    try:
        with open("/proc/%d/stat" % pid) as f:
            st = f.read()
        return st[st.rfind(")") + 2] != "Z"
    except OSError:
        return False


# ---------------------------------------------------------------- node


def _ephemeral_low():
    try:
        with open("/proc/sys/net/ipv4/ip_local_port_range") as f:
            return int(f.read().split()[0])
    except (OSError, ValueError, IndexError):
        return 32768


_handed_out = set()


def free_port():
    """A TCP port on 127.0.0.1 that was free a moment ago, below the kernel's
    ephemeral range: a port from that range can be taken, before the node
    binds it, as the local port of some outbound connection (a peer dial),
    and then the node's RPC or peering socket fails with EADDRINUSE. Never
    the same port twice in one test."""
    import random
    low = _ephemeral_low()
    for _ in range(1000):
        port = random.randrange(10000, max(10001, low))
        if port in _handed_out:
            continue
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            continue
        finally:
            s.close()
        _handed_out.add(port)
        return port
    raise RuntimeError("no free TCP port below %d" % low)


class Node:
    """A smallnanod in a temp data dir. Use as a context manager: on exit every
    process it started is killed (by pid), whatever happened."""

    def __init__(self, smallnanod, config="", env=None, extra_args=(), autostart=True,
                 prefix=()):
        self.bin = smallnanod
        self.prefix = list(prefix)  # e.g. qemu-arm -L SYSROOT for a cross-built smallnanod
        self.dir = tempfile.mkdtemp(prefix="smn-node-")
        self.data = os.path.join(self.dir, "data")
        self.conf = os.path.join(self.dir, "smallnano.conf")
        with open(self.conf, "w") as f:
            f.write(config)
        self.log_path = os.path.join(self.dir, "node.log")
        self.env = dict(os.environ)
        self.env.update(env or {})
        self.extra_args = list(extra_args)
        # Tests run in parallel: unless the test chose ports (flags or its
        # config), give this node free loopback ports instead of the defaults.
        if "--rpc-port" not in self.extra_args and "port" not in config:
            self.extra_args += ["--rpc-port", str(free_port())]
        if "--peering-port" not in self.extra_args and "port" not in config:
            self.extra_args += ["--peering-port", str(free_port())]
        if "--ws-port" not in self.extra_args and "[ws]" not in config:
            self.extra_args += ["--ws-port", str(free_port())]
        self.proc = None
        self.autostart = autostart
        self.started = []  # every smallnanod Popen, for cleanup
        self.seen_pids = set()

    def __enter__(self):
        if self.autostart:
            self.start()
        return self

    def __exit__(self, exc_type, exc, tb):
        if exc_type is not None and not isinstance(exc, AssertionError):
            # An assertion carries the log already; any other failure (a
            # reset connection, a timeout) would leave no trace of why.
            tail = self.read_log().splitlines()[-40:]
            print("the node's log, last %d lines:\n%s" % (len(tail), "\n".join(tail)),
                  file=sys.stderr)
        self.cleanup()
        return False

    def start(self):
        if self.proc is not None and self.proc.poll() is None:
            raise AssertionError("this node is already running")
        self.log = open(self.log_path, "a")
        self.proc = subprocess.Popen(
            self.prefix + [self.bin, "--network", "dev", "--data-dir", self.data, "--config", self.conf]
            + self.extra_args,
            stdout=self.log, stderr=subprocess.STDOUT, env=self.env)
        self.started.append(self.proc)
        return self.proc

    def sock(self, name):
        return os.path.join(self.data, "run", name + ".sock")

    def status(self, timeout=5.0):
        r = call(self.sock("control"), "node_status", timeout=timeout)
        procs = r["processes"]
        for p in procs:
            # The wire has no pid while a child is down; None here.
            p.setdefault("pid", None)
            if p["pid"]:
                self.seen_pids.add(p["pid"])
        return procs

    def wait_ready(self, timeout=30.0, exclude_pids=None):
        """Wait until every child runs (and, if given, none has a pid in exclude_pids)."""
        deadline = time.time() + timeout
        last = None
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise AssertionError("smallnanod exited with %s:\n%s" % (self.proc.returncode, self.read_log()))
            try:
                last = self.status(timeout=2.0)
                if all(p["state"] == "running" and p["pid"] and
                       (not exclude_pids or p["pid"] not in exclude_pids) for p in last):
                    return {p["name"]: p for p in last}
            except (OSError, IpcError):
                pass
            time.sleep(0.02)
        raise AssertionError("node not ready in %.0f s: %s\n%s" % (timeout, last, self.read_log()))

    def read_log(self):
        try:
            with open(self.log_path) as f:
                return f.read()
        except OSError:
            return ""

    def wait_exit(self, timeout):
        try:
            return self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            return None

    def cleanup(self):
        pids = set(self.seen_pids)
        for proc in self.started:
            pids |= {p for p, _ in children_of(proc.pid)}
            if proc.poll() is None:
                proc.kill()
            proc.wait()
        for p in pids:
            # Only ours: a recorded pid may have been reused by now.
            if self.data.encode() in cmdline(p):
                try:
                    os.kill(p, signal.SIGKILL)
                except (ProcessLookupError, PermissionError):
                    pass
        if getattr(self, "log", None):
            self.log.close()
        shutil.rmtree(self.dir, ignore_errors=True)


def fail(msg):
    print("FAIL: " + msg, file=sys.stderr)
    sys.exit(1)


def _block_hash(block):
    """smn_block_hash(block) as ipc/ledgerdb/schema.c defines it: the block
    hash of a 216-byte wire block (its first 144 bytes are the hashed
    fields, after a 32-byte preamble ending in 6)."""
    if not isinstance(block, bytes) or len(block) != 216:
        return None
    return hashlib.blake2b(bytes(31) + b"\x06" + block[:144], digest_size=32).digest()


def ledger_db(path, readonly=True, **kw):
    """A sqlite3 connection to a ledger.db with the SQL function its schema
    uses (version 6: blocks.hash is computed, smn_block_hash(block))."""
    if readonly:
        db = sqlite3.connect("file:%s?mode=ro" % path, uri=True, **kw)
    else:
        db = sqlite3.connect(path, **kw)
    db.create_function("smn_block_hash", 1, _block_hash, deterministic=True)
    return db
