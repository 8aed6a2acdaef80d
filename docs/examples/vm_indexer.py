#!/usr/bin/env python3
"""Example NanoVM indexer: follows a smallnano node's event socket and
mirrors token balances into PostgreSQL, exactly once.

Every event is applied in one PostgreSQL transaction together with the
cursor it carries (table vm_cursor), so after a crash or kill -9 the indexer
resumes from the last committed cursor: no event is lost and none is
counted twice. It reconnects after any disconnect (a vm restart sends
disconnect {reason: "shutdown", cursor}).

Tables (created if absent):
  vm_cursor(id = 1, cursor)                       last applied event cursor
  vm_tokens(token, name, symbol, decimals, etcher) from token.etch
  vm_token_balances(token, account, amount)       token balances (numeric)
Accounts and token ids are 64 upper-case hex digits (public keys / ids).

What it applies (docs/vm.md "Events"): token.etch (ok) adds the token;
token.mint (ok) credits the etcher; token.send (ok) debits `from`;
token.receive (ok) credits `to`. Failed operations (code != 0) change
nothing. A commit event with result "mismatch" (fraud, docs/vm.md) is
logged; a token indexer has nothing to undo, since balances come from the
transfer events, not from a host's published root.

Needs Debian's python3-msgpack and python3-psycopg2.

usage: vm_indexer.py --socket DATA_DIR/run/vm-events.sock --dsn "host=... dbname=..."
                     [--slow MS]   (sleep per event: for tests that kill it mid-way)
"""
import argparse
import socket
import struct
import sys
import time

import msgpack
import psycopg2

SCHEMA = """
CREATE TABLE IF NOT EXISTS vm_cursor (id INTEGER PRIMARY KEY, cursor BIGINT NOT NULL);
INSERT INTO vm_cursor (id, cursor) VALUES (1, 0) ON CONFLICT (id) DO NOTHING;
CREATE TABLE IF NOT EXISTS vm_tokens (token TEXT PRIMARY KEY, name TEXT, symbol TEXT,
                                      decimals INTEGER, etcher TEXT);
CREATE TABLE IF NOT EXISTS vm_token_balances (token TEXT NOT NULL, account TEXT NOT NULL,
                                              amount NUMERIC(40, 0) NOT NULL,
                                              PRIMARY KEY (token, account));
"""


def log(msg):
    print("vm_indexer: " + msg, file=sys.stderr, flush=True)


class EventSocket:
    """One connection: u32 big-endian length + one msgpack map per frame."""

    def __init__(self, path):
        self.s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.s.settimeout(30)
        self.s.connect(path)
        self.buf = b""
        self.next_id = 1

    def close(self):
        self.s.close()

    def send(self, msg):
        data = msgpack.packb(msg, use_bin_type=True)
        self.s.sendall(struct.pack(">I", len(data)) + data)

    def _read(self, n):
        while len(self.buf) < n:
            try:
                chunk = self.s.recv(65536)
            except socket.timeout:
                continue  # idle between events is fine: a subscriber is never timed out
            if not chunk:
                raise EOFError("the node closed the event socket")
            self.buf += chunk
        out, self.buf = self.buf[:n], self.buf[n:]
        return out

    def frame(self):
        (n,) = struct.unpack(">I", self._read(4))
        return msgpack.unpackb(self._read(n), raw=False)


def u128(b):
    return int.from_bytes(b, "big")


def apply_event(cur, ev):
    """The balance change of one event, inside the caller's transaction."""
    t, d = ev["type"], ev["data"]
    if not d or d[0] != 0:  # failed operations change nothing (first byte: code)
        if t == "commit" and d and d[0] == 1:
            log("fraud: a commit published another root, block %s" % ev["block_hash"].hex())
        return
    if t == "token.etch" and len(d) > 33 + 65:
        token, meta = d[1:33].hex().upper(), d[33:]
        etcher, decimals = meta[0:32].hex().upper(), meta[32]
        nl = meta[65]
        name = meta[66:66 + nl].decode("ascii")
        sl = meta[66 + nl]
        symbol = meta[67 + nl:67 + nl + sl].decode("ascii")
        cur.execute("INSERT INTO vm_tokens VALUES (%s, %s, %s, %s, %s) ON CONFLICT DO NOTHING",
                    (token, name, symbol, decimals, etcher))
    elif t == "token.mint" and len(d) == 1 + 32 + 32 + 16:
        credit(cur, d[1:33], d[33:65], u128(d[65:81]))
    elif t in ("token.send", "token.receive") and len(d) == 1 + 1 + 32 + 32 + 32 + 16:
        asset, frm, to, amount = d[2:34], d[34:66], d[66:98], u128(d[98:114])
        if t == "token.send":
            credit(cur, asset, frm, -amount)
        else:
            credit(cur, asset, to, amount)


def credit(cur, token, account, delta):
    cur.execute("INSERT INTO vm_token_balances (token, account, amount) VALUES (%s, %s, %s)"
                " ON CONFLICT (token, account) DO UPDATE"
                " SET amount = vm_token_balances.amount + EXCLUDED.amount",
                (token.hex().upper(), account.hex().upper(), delta))
    cur.execute("DELETE FROM vm_token_balances WHERE amount = 0")


def run(args):
    db = psycopg2.connect(args.dsn)
    with db, db.cursor() as cur:
        cur.execute(SCHEMA)
    backoff = 0.05
    while True:
        with db, db.cursor() as cur:
            cur.execute("SELECT cursor FROM vm_cursor WHERE id = 1")
            (cursor,) = cur.fetchone()
        try:
            es = EventSocket(args.socket)
        except OSError as e:  # the vm restarts: connect() fails for a moment
            log("cannot connect (%s), retrying" % e)
            time.sleep(backoff)
            backoff = min(backoff * 2, 2.0)
            continue
        try:
            es.send({"kind": "subscribe", "id": 1, "from": cursor, "type": "token"})
            r = es.frame()
            if r.get("kind") != "subscribed":
                log("subscribe refused: %r" % r)
                time.sleep(1)
                continue
            backoff = 0.05
            log("subscribed from cursor %d (node head %d)" % (cursor, r["head"]))
            while True:
                m = es.frame()
                if m["kind"] == "event":
                    with db, db.cursor() as cur:  # one transaction: the change and its cursor
                        apply_event(cur, m)
                        cur.execute("UPDATE vm_cursor SET cursor = %s WHERE id = 1",
                                    (m["cursor"],))
                    if args.slow:
                        time.sleep(args.slow / 1000.0)
                elif m["kind"] == "disconnect":
                    log("disconnected: %s at cursor %d" % (m["reason"], m["cursor"]))
                    with db, db.cursor() as cur:  # events up to it were sent or filtered out
                        cur.execute("UPDATE vm_cursor SET cursor = GREATEST(cursor, %s)"
                                    " WHERE id = 1", (m["cursor"],))
                    break
        except (EOFError, OSError) as e:
            log("connection lost (%s), reconnecting" % e)
        finally:
            es.close()


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--socket", required=True)
    ap.add_argument("--dsn", required=True)
    ap.add_argument("--slow", type=int, default=0)
    run(ap.parse_args())


if __name__ == "__main__":
    main()
