#!/usr/bin/env python3
"""smallnano-cli's node commands (wallet, account info, block info) against a
real JSON RPC server: rpc_serve runs the RPC core on loopback with a real
ledger DB (blocks go straight to the ledger library's processor and are
cemented at once) and a real wallet store holding the dev demo wallet.
Every server started here is killed in a finally block.

usage: test_cli_node_rpc.py <smallnano-cli> <rpc_serve>"""
import json
import os
import re
import select
import shutil
import socket
import subprocess
import sys
import tempfile
import time

CLI, SERVE = sys.argv[1], sys.argv[2]
DEV_ADDR = "smn_3yk87wnt91si1p9u9c41g4wcugoh5yj53t71wqc7qyjbu6bgkx4wfcgm4fm6"
GENESIS_HASH = "9C9798C7164BD17644318621236C6F891A24384D3CD4724F1DC019CEFC3EFE89"
SMN = 10**30
SUPPLY = 10_000_000 * SMN
HEX64 = re.compile(r"^[0-9A-F]{64}$")

failures = 0


def fail(name, why):
    global failures
    failures += 1
    print(f"FAIL {name}: {why}")


def run(args, stdin=None, timeout=60):
    p = subprocess.run([CLI] + args, input=stdin, capture_output=True, text=True,
                       timeout=timeout)
    return p.returncode, p.stdout, p.stderr


def check(name, args, rc=0, out=None, contains=None, err=None, stdin=None):
    """out: exact stdout; contains: substring(s) of stdout; err: substring of stderr.
    Returns stdout."""
    got_rc, got_out, got_err = run(args, stdin)
    problems = []
    if got_rc != rc:
        problems.append(f"exit {got_rc}, want {rc}")
    if out is not None and got_out != out:
        problems.append(f"stdout {got_out!r}, want {out!r}")
    for c in ([contains] if isinstance(contains, str) else contains or []):
        if c not in got_out:
            problems.append(f"stdout {got_out!r} lacks {c!r}")
    if err is not None and err not in got_err:
        problems.append(f"stderr {got_err!r} lacks {err!r}")
    if rc != 0 and not got_err.startswith("error: "):
        problems.append(f"no 'error: ...' line on stderr ({got_err!r})")
    if rc == 0 and got_err:
        problems.append(f"unexpected stderr {got_err!r}")
    if problems:
        fail(name, "; ".join(problems))
    else:
        print(f"ok   {name}")
    return got_out


def check_json(name, args, expect=None):
    """Runs a --json command; returns the parsed document (None on failure)."""
    out = check(name, args + ["--json"])
    if len(out.splitlines()) != 1:
        fail(name, f"--json output is not one line: {out!r}")
        return None
    try:
        doc = json.loads(out)
    except ValueError:
        fail(name, f"not JSON: {out!r}")
        return None
    if expect is not None and doc != expect:
        fail(name, f"got {doc}, want {expect}")
    return doc


def lines(text):
    return dict(l.split(": ", 1) for l in text.strip().splitlines() if ": " in l)


class Server:
    """rpc_serve in its own data dir; stop() kills it, whatever happened."""

    def __init__(self, servers, data, *flags):
        os.makedirs(data, exist_ok=True)
        # its log goes to a file: a pipe nobody reads could fill and stall it
        self.log = data + ".log"
        with open(self.log, "wb") as log:
            self.proc = subprocess.Popen([SERVE, "--data-dir", data, *flags],
                                         stdout=subprocess.PIPE, stderr=log)
        servers.append(self)  # stopped by the caller's finally, even if start fails
        self.info = {}
        # raw reads: a buffered readline could swallow the line select waits for
        fd, buf = self.proc.stdout.fileno(), b""
        deadline = time.monotonic() + 30
        while "listening" not in self.info:
            left = deadline - time.monotonic()
            if left <= 0:
                raise RuntimeError("rpc_serve did not start within 30 s")
            if select.select([fd], [], [], left)[0]:
                chunk = os.read(fd, 4096)
                if not chunk:
                    self.proc.wait(5)
                    raise RuntimeError("rpc_serve exited: " + self.read_log())
                buf += chunk
                while b"\n" in buf:
                    line, buf = buf.split(b"\n", 1)
                    key, _, value = line.decode().strip().partition(" ")
                    self.info[key] = value
        self.addr = self.info["listening"]

    def read_log(self):
        with open(self.log, errors="replace") as f:
            return f.read()

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def main():
    tmp = tempfile.mkdtemp(prefix="smn-cli-node-")
    servers = []
    try:
        data = os.path.join(tmp, "node")
        srv = Server(servers, data, "--demo", "--auto-confirm", "--write-addr", "--locked-wallet",
                     "s3cret")
        locked = srv.info["locked-wallet"]
        d = ["--data-dir", data]  # finds the RPC through DIR/run/rpc.addr
        r = ["--rpc", srv.addr]

        # ---- wallet list: the demo wallet first, exact --json shape ----
        out = check("wallet list --json exact", d + ["wallet", "list", "--json"])
        doc = json.loads(out) if out else {}
        demo = doc.get("wallets", [{}])[0].get("id", "")
        want = {"wallets": [{"id": demo, "accounts": [DEV_ADDR]},
                            {"id": locked, "accounts": doc.get("wallets", [{}, {}])[-1]
                             .get("accounts", [])}]}
        if not HEX64.match(demo) or doc != want or len(want["wallets"][1]["accounts"]) != 1:
            fail("wallet list --json content", out)
        if out != json.dumps(want, separators=(",", ":")) + "\n":
            fail("wallet list --json is compact", out)

        # ---- wallet create / account-create ----
        wid = check("wallet create", r + ["wallet", "create"]).strip()
        if not HEX64.match(wid):
            fail("wallet create prints an id", wid)
        acc = check("wallet account-create", d + ["wallet", "account-create", wid]).strip()
        if not acc.startswith("smn_") or len(acc) != 64:
            fail("account-create prints an address", acc)
        acc2 = check_json("wallet account-create --json", d + ["wallet", "account-create", wid])
        acc2 = (acc2 or {}).get("account", "")
        check_json("wallet list --json after create", d + ["wallet", "list"],
                   {"wallets": [{"id": demo, "accounts": [DEV_ADDR]},
                                {"id": locked, "accounts": want["wallets"][1]["accounts"]},
                                {"id": wid, "accounts": [acc, acc2]}]})
        check("wallet list", d + ["wallet", "list"],
              contains=[f"wallet {demo} (1 account)\n  {DEV_ADDR}\n",
                        f"wallet {wid} (2 accounts)\n  {acc}\n  {acc2}\n"])

        # ---- balances ----
        check("wallet balance demo", d + ["wallet", "balance", demo],
              contains=f"  {DEV_ADDR}  balance: 10000000 smn ({SUPPLY} raw)  "
                       f"receivable: 0 smn (0 raw)\n")
        check_json("wallet balance demo --json", d + ["wallet", "balance", demo],
                   {"wallets": [{"id": demo, "balance": str(SUPPLY), "receivable": "0",
                                 "accounts": [{"account": DEV_ADDR, "balance": str(SUPPLY),
                                               "receivable": "0"}]}]})

        # ---- send 1.5 smn and 7 raw to the new account ----
        s1 = check("wallet send 1.5 smn", d + ["wallet", "send", demo, DEV_ADDR, acc, "1.5"])
        s1 = s1.strip()
        if not HEX64.match(s1):
            fail("wallet send prints a hash", s1)
        s2 = check_json("wallet send --raw --json",
                        d + ["wallet", "send", demo, DEV_ADDR, acc, "7", "--raw"])
        s2 = (s2 or {}).get("block", "")
        if not HEX64.match(s2):
            fail("wallet send --json gives the block", s2)
        bal = check_json("wallet balance all --json", d + ["wallet", "balance"])
        w3 = (bal or {"wallets": [{}, {}, {}]})["wallets"][2]
        if w3.get("id") != wid or w3.get("receivable") != str(SMN * 3 // 2 + 7) or \
                w3.get("balance") != "0" or w3["accounts"][0]["receivable"] != str(SMN * 3 // 2 + 7):
            fail("receivable after the sends", bal)
        if bal and bal["wallets"][0]["balance"] != str(SUPPLY - SMN * 3 // 2 - 7):
            fail("demo balance after the sends", bal)

        # ---- block info ----
        out = check("block info send", d + ["block", "info", s1])
        kv = lines(out)
        expect = {"hash": s1, "account": DEV_ADDR, "subtype": "send",
                  "amount": f"1.5 smn ({SMN * 3 // 2} raw)", "height": "2", "confirmed": "true",
                  "previous": GENESIS_HASH, "successor": s2}
        for k, v in expect.items():
            if kv.get(k) != v:
                fail("block info field " + k, f"{kv.get(k)!r}, want {v!r}")
        if not kv.get("link", "").endswith(f"(to {acc})"):
            fail("block info link names the destination", kv.get("link"))
        doc = check_json("block info --json", r + ["block", "info", s2.lower()])
        if doc:
            c = doc.get("contents", {})
            if (doc.get("hash") != s2 or doc.get("subtype") != "send" or doc.get("amount") != "7"
                    or doc.get("height") != 3 or doc.get("confirmed") is not True
                    or doc.get("successor") != "0" * 64 or c.get("previous") != s1
                    or c.get("link_as_account") != acc or c.get("type") != "state"):
                fail("block info --json content", doc)

        # ---- receive: one by hash, then the rest ----
        out = check("wallet receive one", d + ["wallet", "receive", wid, acc, s1])
        m = re.match(r"^([0-9A-F]{64})  received 1\.5 smn \(\d+ raw\) from send ([0-9A-F]{64})\n$",
                     out)
        if not m or m.group(2) != s1:
            fail("wallet receive one output", out)
        r1 = m.group(1) if m else ""
        doc = check_json("wallet receive rest --json", d + ["wallet", "receive", wid, acc])
        blocks = (doc or {}).get("blocks", [])
        if len(blocks) != 1 or blocks[0].get("send") != s2 or blocks[0].get("amount") != "7" \
                or not HEX64.match(blocks[0].get("block", "")):
            fail("wallet receive rest content", doc)
        r2 = blocks[0]["block"] if blocks else ""
        check("wallet receive nothing left", d + ["wallet", "receive", wid, acc],
              out=f"nothing to receive for {acc}\n")
        check_json("wallet receive nothing --json", d + ["wallet", "receive", wid, acc],
                   {"blocks": []})
        check("wallet receive already received", d + ["wallet", "receive", wid, acc, s1], rc=1,
              err="error: Block is not receivable")

        # ---- account info ----
        out = check("account info", d + ["account", "info", acc])
        kv = lines(out)
        expect = {"account": acc, "frontier": r2, "open block": r1,
                  "balance": f"1.500000000000000000000000000007 smn ({SMN * 3 // 2 + 7} raw)",
                  "receivable": "0 smn (0 raw)", "representative": acc,
                  "block count": "2", "confirmation height": "2", "confirmed": "all blocks"}
        for k, v in expect.items():
            if kv.get(k) != v:
                fail("account info field " + k, f"{kv.get(k)!r}, want {v!r}")
        check_json("account info --json", r + ["account", "info", DEV_ADDR],
                   {"account": DEV_ADDR, "frontier": s2, "open_block": GENESIS_HASH,
                    "balance": str(SUPPLY - SMN * 3 // 2 - 7), "receivable": "0",
                    "representative": DEV_ADDR,
                    "weight": str(SUPPLY - SMN * 3 // 2 - 7), "block_count": 3,
                    "confirmation_height": 3, "confirmation_height_frontier": s2})

        # ---- error cases ----
        check("account info bad address", d + ["account", "info", "smn_bad"], rc=2,
              err="error: bad address 'smn_bad'")
        check("account info bad checksum", d + ["account", "info", acc[:-1] + "1"], rc=2,
              err="checksum")
        fresh = check("key create", ["key", "create"])
        fresh = lines(fresh).get("account", "")
        check("account info unopened", d + ["account", "info", fresh], rc=1,
              err="error: Account not found")
        check("account without command", d + ["account"], rc=2, err="usage: smallnano-cli")
        check("wallet without command", d + ["wallet"], rc=2, err="usage: smallnano-cli")
        check("block info unknown", d + ["block", "info", "00" * 32], rc=1,
              err="error: Block not found")
        check("block info bad hash", d + ["block", "info", "xyz"], rc=2,
              err="error: bad block hash 'xyz'")
        for bad in ["abc", "-1", "1.", "0", "0.0", "1.0000000000000000000000000000001",
                    "340282366920938463463374607431768211456"]:
            check(f"wallet send bad amount {bad!r}",
                  d + ["wallet", "send", wid, acc, DEV_ADDR, bad], rc=2,
                  err=f"error: bad amount '{bad}'")
        check("wallet send bad raw amount", d + ["wallet", "send", wid, acc, DEV_ADDR, "1.5",
                                                 "--raw"], rc=2, err="error: bad amount '1.5'")
        check("wallet send insufficient balance",
              d + ["wallet", "send", wid, acc, DEV_ADDR, "2"], rc=1,
              err="error: Insufficient balance")
        check("wallet send bad destination",
              d + ["wallet", "send", wid, acc, "smn_1234", "1"], rc=2,
              err="error: bad destination account 'smn_1234'")
        check("wallet send from another wallet's account",
              d + ["wallet", "send", wid, DEV_ADDR, acc, "1"], rc=1,
              err="error: Account not found in wallet")
        check("wallet send too few arguments", d + ["wallet", "send", wid, acc], rc=2,
              err="error: wallet send needs 4 arguments")
        check("wallet bad id", d + ["wallet", "balance", "12"], rc=2, err="error: bad wallet id")
        check("wallet unknown id", d + ["wallet", "balance", "AB" * 32], rc=1,
              err="error: Wallet not found")
        check("wallet receive foreign account", d + ["wallet", "receive", wid, DEV_ADDR], rc=1,
              err="error: Account not found in wallet")
        check("wallet unknown command", d + ["wallet", "frobnicate"], rc=2,
              err="error: unknown wallet command 'frobnicate'")
        check("wallet unknown option", d + ["wallet", "list", "--bogus"], rc=2,
              err="error: unknown option --bogus")

        # ---- a locked wallet ----
        check("locked wallet refuses", d + ["wallet", "account-create", locked], rc=1,
              err="error: Wallet is locked: unlock it with 'smallnano-cli wallet unlock")
        check("unlock wrong password", d + ["wallet", "unlock", locked], rc=1, stdin="nope\n",
              err="error: wrong password")
        check("unlock", d + ["wallet", "unlock", locked], stdin="s3cret\n",
              out=f"wallet {locked} unlocked\n")
        check("unlocked wallet works", d + ["wallet", "account-create", locked],
              contains="smn_")

        # ---- where the RPC is ----
        dead = f"127.0.0.1:{free_port()}"
        check("unreachable RPC", ["--rpc", dead, "wallet", "list"], rc=1,
              err=f"error: cannot reach the node's RPC at {dead}: Connection refused")
        check("unreachable RPC (account info)", ["--rpc", dead, "account", "info", DEV_ADDR], rc=1,
              err=f"error: cannot reach the node's RPC at {dead}: Connection refused")
        stale = os.path.join(tmp, "stale")
        os.makedirs(os.path.join(stale, "run"))
        with open(os.path.join(stale, "run", "rpc.addr"), "w") as f:
            f.write(dead + "\n")
        check("rpc.addr of a stopped node", ["--data-dir", stale, "block", "info", s1], rc=1,
              err=f"error: cannot reach the node's RPC at {dead}: Connection refused (address "
                  f"from {stale}/run/rpc.addr")
        check("--rpc wins over rpc.addr", ["--data-dir", stale, "--rpc", srv.addr, "block",
                                           "info", s1], contains=f"hash: {s1}")
        check("--rpc after the command", ["block", "info", s1, "--rpc", srv.addr],
              contains=f"hash: {s1}")
        with open(os.path.join(stale, "run", "rpc.addr"), "w") as f:
            f.write("not an address\n")
        check("malformed rpc.addr", ["--data-dir", stale, "wallet", "list"], rc=2,
              err="rpc.addr does not hold one HOST:PORT line")
        check("malformed --rpc", ["--rpc", "localhost", "wallet", "list"], rc=2,
              err="error: --rpc wants HOST:PORT")
        check("unknown network", ["--network", "nonet", "wallet", "list"], rc=2,
              err="error: unknown network 'nonet'")

        # ---- --version, rpc passthrough, --json errors ----
        out = check("--version", ["--version"])
        if not re.match(r"^smallnano-cli \d+\.\d+\.\d+\n$", out):
            fail("--version", f"output {out!r}")
        v = json.loads(check("--version --json", ["--version", "--json"]))
        if not v.get("node_vendor", "").startswith("smallnano "):
            fail("--version --json", f"{v}")
        r = json.loads(check("rpc account_balance", d + ["rpc", "account_balance",
                                                         f"account={DEV_ADDR}"]))
        if "balance" not in r or "receivable" not in r:
            fail("rpc account_balance", f"{r}")
        r = json.loads(check("rpc with a JSON list", d + ["rpc", "accounts_balances",
                                                          f'accounts=["{DEV_ADDR}"]']))
        if DEV_ADDR not in r.get("balances", {}):
            fail("rpc with a JSON list", f"{r}")
        out = check("rpc error answer", d + ["rpc", "account_info", "account=smn_bad"], rc=1,
                    err="error: Bad account number")
        if json.loads(out) != {"error": "Bad account number"}:
            fail("rpc error answer", f"stdout {out!r}")
        check("rpc not key=value", d + ["rpc", "version", "oops"], rc=2,
              err="is not key=value")
        check("rpc without action", d + ["rpc"], rc=2, err="usage: smallnano-cli rpc")
        out = check("--json error", ["--json", "--rpc", "localhost", "wallet", "list"], rc=2,
                    err="error: --rpc wants HOST:PORT")
        if "error" not in json.loads(out):
            fail("--json error", f"stdout {out!r}")

        # ---- a node with control disabled ----
        ro = Server(servers, os.path.join(tmp, "ro"), "--no-control")
        check("control disabled", ["--rpc", ro.addr, "wallet", "create"], rc=1,
              err="error: RPC control is disabled on this node")
        check("read commands without control", ["--rpc", ro.addr, "account", "info", DEV_ADDR],
              contains="block count: 1\n")
    finally:
        for s in servers:
            s.stop()
            if failures:
                print(f"--- {s.log}:\n{s.read_log()}", end="")
        shutil.rmtree(tmp, ignore_errors=True)
    if failures:
        print(f"{failures} failure(s)")
        sys.exit(1)
    print("all passed")


if __name__ == "__main__":
    main()
