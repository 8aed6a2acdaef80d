"""A minimal peer of the smallnano p2p protocol (docs/protocol.md), for tests
and benchmarks that play a remote node: it dials a node's peering port
(optionally from a chosen local address, e.g. 127.0.0.2), completes the
node-ID handshake as the initiator, then sends frames as fast as the
socket takes them. Everything it receives is drained by a thread and
counted by type; `closed` tells when the node hung up.

Frames are built here independently of the C codec (header: magic,
version 1, version_min 1, type, u16 flags, u32 length, big-endian).
"""
import os
import socket
import struct
import threading

from devnet_blocks import Key

MAGIC = b"SD"  # dev
HANDSHAKE, KEEPALIVE, PUBLISH, CONFIRM_REQ, CONFIRM_ACK = 1, 2, 3, 4, 5
FRONTIER_REQ, FRONTIER_RESP, BULK_PULL, BULK_PULL_RESP = 6, 7, 8, 9
TELEMETRY_REQ, TELEMETRY_ACK = 10, 11


def frame(typ, payload=b"", flags=0):
    return MAGIC + bytes([1, 1, typ]) + struct.pack(">HI", flags, len(payload)) + payload


def frontier_req(start=bytes(32), count=0xFFFFFFFF):
    return frame(FRONTIER_REQ, start + struct.pack(">II", 0xFFFFFFFF, count))


def bulk_pull(start, end=bytes(32), count=0, ascending=False):
    return frame(BULK_PULL, start + end + struct.pack(">I", count), 1 if ascending else 0)


def confirm_req(pairs):
    """pairs: [(hash, root)], 1..12."""
    return frame(CONFIRM_REQ, b"".join(h + r for h, r in pairs))


def publish(wire):
    return frame(PUBLISH, wire)


def confirm_ack(key, hashes, timestamp):
    """One vote by key for 1..12 hashes (common/vote.h)."""
    import hashlib
    ts = struct.pack(">Q", timestamp)
    digest = hashlib.blake2b(b"vote " + b"".join(hashes) + ts, digest_size=32).digest()
    return frame(CONFIRM_ACK, key.public + key.sign(digest) + ts + bytes([len(hashes)])
                 + b"".join(hashes))


class HandshakeError(Exception):
    pass


class Peer:
    """One p2p connection from this process to a node."""

    def __init__(self, port, host="127.0.0.1", source=None, key=None, timeout=5.0):
        self.key = key or Key()
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.settimeout(timeout)
        if source:
            self.sock.bind((source, 0))
        self.sock.connect((host, port))
        self.received = {}
        self.rx_bytes = 0
        self.closed = threading.Event()
        self.remote_id = None
        self._thread = None

    def _read(self, n):
        buf = b""
        while len(buf) < n:
            d = self.sock.recv(n - len(buf))
            if not d:
                raise HandshakeError("the node closed the connection")
            buf += d
        return buf

    def _frame(self):
        h = self._read(11)
        if h[:2] != MAGIC:
            raise HandshakeError("bad magic %r" % h[:2])
        typ, flags, length = h[4], struct.unpack(">H", h[5:7])[0], struct.unpack(">I", h[7:11])[0]
        return typ, flags, self._read(length)

    def handshake(self):
        """Query, the node's answer (its cookie and proof), our proof. Then a
        thread drains and counts what the node sends."""
        cookie = os.urandom(32)
        self.sock.sendall(frame(HANDSHAKE, cookie, 1))
        while True:
            typ, flags, p = self._frame()
            if typ == HANDSHAKE:
                break
        if flags != 3 or len(p) != 128:
            raise HandshakeError("unexpected handshake answer (flags %d, %d bytes)"
                                 % (flags, len(p)))
        their_cookie, self.remote_id = p[:32], p[32:64]
        sig = self.key.sign(b"smn handshake" + MAGIC + their_cookie)
        self.sock.sendall(frame(HANDSHAKE, self.key.public + sig, 2))
        self.sock.settimeout(None)
        self._thread = threading.Thread(target=self._drain, daemon=True)
        self._thread.start()
        return self

    def _drain(self):
        buf = b""
        try:
            while True:
                d = self.sock.recv(1 << 16)
                if not d:
                    break
                self.rx_bytes += len(d)
                buf += d
                while len(buf) >= 11:
                    (length,) = struct.unpack(">I", buf[7:11])
                    if len(buf) < 11 + length:
                        break
                    typ = buf[4]
                    self.received[typ] = self.received.get(typ, 0) + 1
                    buf = buf[11 + length:]
        except OSError:
            pass
        self.closed.set()

    def send(self, data):
        """False once the node has closed the connection."""
        try:
            self.sock.sendall(data)
            return True
        except OSError:
            self.closed.set()
            return False

    def close(self):
        try:
            self.sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        self.sock.close()
        if self._thread:
            self._thread.join(timeout=2)
