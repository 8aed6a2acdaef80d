"""Shared by the test_vm_* tests (not a test itself): NanoVM as a user drives
it, through the CLI and the RPC of a real dev node, and every event checked
against the layouts docs/vm.md documents ("Events").

The layouts are read from the doc's table, so a decoder that drifts from the
doc (a field renamed, added, dropped, shown in another form) fails here.
"""
import json
import os
import re
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from nodeutil import fail  # noqa: E402

SMN = 10 ** 30
BURN = "smn_1111111111111111111111111111111111111111111111111111hifc8npp"
HEX64 = re.compile(r"^[0-9A-F]{64}$")
NATIVES = ("smn.token", "smn.vsmn")


def check(cond, msg):
    if not cond:
        fail(msg)


def _split_top(s, seps):
    """s cut at the separators that are outside parentheses."""
    out, depth, cur, i = [], 0, "", 0
    while i < len(s):
        ch = s[i]
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        if depth == 0 and any(s.startswith(x, i) for x in seps):
            out.append(cur)
            cur = ""
            i += 1
            continue
        cur += ch
        i += 1
    out.append(cur)
    return out


class Layouts:
    """The event layouts of docs/vm.md: {type: [(field, size or None)]},
    the account and asset field names, and the outcome/commit code names."""

    def __init__(self, doc_path):
        with open(doc_path) as f:
            doc = f.read()
        sec = doc.split("\n## Events\n", 1)[1].split("\n## ", 1)[0]
        m = re.search(r"shown as `smn_` addresses: (.*?);\n- assets", sec, re.S)
        check(m, "docs/vm.md: the account field list is missing")
        self.accounts = set(re.findall(r"`([a-z_]+)`", m.group(1)))
        m = re.search(r"shown as `smn`: (.*?);", sec, re.S)
        check(m, "docs/vm.md: the asset field list is missing")
        self.assets = set(re.findall(r"`([a-z_]+)`", m.group(1)))
        self.codes = set(re.findall(r"^\| \d+ \| `([a-z_]+)` \|", sec, re.M))
        self.results = set(re.findall(r"\d `([a-z_]+)`\s+\(", sec.split(
            "**Commit result**", 1)[1].split("\n\n", 1)[0]))
        self.types = {}
        refs = {}
        for line in sec.splitlines():
            cells = [c.strip() for c in line.strip().strip("|").split("|")]
            if len(cells) != 3 or not cells[0].startswith("`"):
                continue
            names = re.findall(r"`([a-z_.]+)`", cells[0])
            data = cells[2]
            ref = re.match(r"the `([a-z.*]+)` layout", data)
            if ref:
                for t in names:
                    refs[t] = ref.group(1)
                continue
            head = _split_top(data, [". ", ";"])[0]
            fields = []
            for item in _split_top(head, [","]):
                w = item.strip().split()
                check(w and re.match(r"^[a-z_]+$", w[0]),
                      "docs/vm.md: cannot read field %r of %s" % (item, names))
                size = int(w[1]) if len(w) > 1 and w[1].isdigit() else None
                fields.append((w[0], size))
            for t in names:
                self.types[t] = fields
        for t, r in refs.items():
            src = [k for k in self.types if k == r or (r.endswith(".*") and
                                                       k.startswith(r[:-1]))]
            check(src, "docs/vm.md: %s refers to an unknown layout %s" % (t, r))
            self.types[t] = self.types[src[0]]
        check(len(self.types) >= 20 and self.codes and self.results,
              "docs/vm.md event tables not read: %r" % sorted(self.types))
        # The RPC actions' answer columns ("Reading through the node",
        # "Writing through the wallet"): every name they mention.
        self.answers = {}
        for line in doc.splitlines():
            cells = [c.strip() for c in line.strip().strip("|").split("|")]
            m = re.match(r"^`(vm_[a-z_]+)`", cells[0]) if len(cells) == 3 else None
            if m:
                names = set()
                for span in re.findall(r"`([^`]*)`", cells[2]):
                    names |= set(re.findall(r"[a-z_]+", span))
                self.answers[m.group(1)] = names
        check(len(self.answers) >= 12, "docs/vm.md action tables not read: %r"
              % sorted(self.answers))

    def check_answer(self, action, answer):
        """Every key of an RPC answer (at any depth, events' `fields` aside:
        check_event) is a name docs/vm.md gives in that action's answer."""
        allowed = set(self.answers[action]) | {"seq", "program", "account"}
        if action == "vm_message_status":
            allowed |= self.answers["vm_events"]
        if action == "vm_send":
            allowed |= self.answers["vm_message"]

        bad = []

        def walk(v, path):
            if isinstance(v, dict):
                for k, x in v.items():
                    if k not in allowed:
                        bad.append(path + k)
                    if k != "fields":
                        walk(x, path + k + ".")
            elif isinstance(v, list):
                for x in v:
                    walk(x, path)
        walk(answer, "")
        check(not bad, "%s answers %s, which docs/vm.md does not name" % (action, sorted(bad)))
        return answer

    def check_event(self, e):
        """Every field documented, nothing else, each in its documented form."""
        t = e["type"]
        check(t in self.types, "event type %r is not documented: %r" % (t, e))
        f = e["fields"]
        want = [n for n, _ in self.types[t]]
        check(sorted(f) == sorted(want), "%s fields %r, docs/vm.md says %r" % (t, sorted(f), want))
        for name, size in self.types[t]:
            v = f[name]
            what = "%s.%s = %r" % (t, name, v)
            if t == "token.etch" and name == "meta":
                if f["code"] == "ok":
                    check(isinstance(v, dict) and sorted(v) == sorted(
                        ["name", "symbol", "decimals", "etcher", "cap", "minted"]), what)
                    check(v["etcher"].startswith("smn_") and v["cap"].isdigit(), what)
                else:
                    check(v is None, what)
            elif size is None:
                check(isinstance(v, str) and re.match(r"^([0-9A-F]{2})*$", v), what)
            elif name == "code":
                check(v in self.codes, what)
            elif name == "result":
                check(v in self.results, what)
            elif name in ("op", "vm_status"):
                check(isinstance(v, str) and re.match(r"^[a-z_]+$", v), what)
            elif size == 32 and name in self.accounts:
                check(isinstance(v, str) and v.startswith("smn_") and len(v) == 64, what)
            elif size == 32 and name in self.assets:
                check(v == "smn" or HEX64.match(v), what)
            elif size == 32:
                check(isinstance(v, str) and HEX64.match(v), what)
            elif size in (8, 16):
                check(isinstance(v, str) and v.isdigit(), what)
            else:
                check(isinstance(v, int) and 0 <= v < 2 ** (8 * size), what)
        check(e["program"] in NATIVES or HEX64.match(e["program"]), "program of %r" % e)


class VmUser:
    """The CLI and RPC of one DevNode, every event seen checked."""

    def __init__(self, node, cli, doc):
        self.n = node
        self.cli_path = cli
        self.layouts = Layouts(doc)
        self.seen = set()

    def rpc(self, action, **fields):
        """An RPC VM action that must succeed, its answer checked against the doc."""
        return self.layouts.check_answer(action, self.n.ok(action, **fields))

    def events(self, evs):
        for e in evs:
            self.layouts.check_event(e)
            self.seen.add(e["type"])
        return evs

    def cli(self, *args, expect=0):
        cmd = [self.cli_path, "vm"] + [str(a) for a in args] + [
            "--rpc", "127.0.0.1:%d" % self.n.rpc_port, "--json"]
        p = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
        check(p.returncode == expect, "%s -> %d (want %d)\nstdout: %s\nstderr: %s"
              % (" ".join(cmd), p.returncode, expect, p.stdout, p.stderr))
        return json.loads(p.stdout) if expect == 0 and p.stdout.strip() else p

    def send(self, *args, status="complete"):
        """A write command: (answer, {type: fields}) of the events it produced."""
        r = self.cli(*args)
        st = r["status"]
        check(st and st["status"] == status, "%s: %r" % (args, r))
        check(not st.get("receive_pending"), "%s: the CLI gave up waiting: %r" % (args, r))
        evs = self.events(st["send_events"] + st["receive_events"])
        return r, {e["type"]: e["fields"] for e in evs}

    def wait(self, pred, what, timeout=20.0):
        t0 = time.time()
        while time.time() - t0 < timeout:
            v = pred()
            if v:
                return v
            time.sleep(0.05)
        fail("timeout waiting for " + what)

    def wallet_send(self, **fields):
        """The wallet's send, retried while auto-receive has a block in flight
        on the source (503 "Account has a block in flight, retry")."""
        deadline = time.time() + 30
        while True:
            status, r = self.n.call("send", **fields)
            if status == 503 and "in flight" in r.get("error", "") and time.time() < deadline:
                time.sleep(0.02)
                continue
            check(status == 200 and "block" in r, "send %r -> %s %r" % (fields, status, r))
            return r["block"]

    def all_events(self):
        """Every event of the node through vm_events, paged, each checked."""
        out, frm = [], "0"
        while True:
            r = self.n.ok("vm_events", count="500", **{"from": frm})
            out += self.events(r["events"])
            if not r["events"]:
                return out
            frm = str(r["next"])

    def balances(self, account):
        return {(b["program"], b["asset"]): int(b["amount"])
                for b in self.n.ok("vm_balances", account=account)["balances"]}

    def owed(self, prog, acc, asset):
        for x in self.n.ok("vm_balances", program=prog)["balances"]:
            if x.get("holder") == acc and x["asset"] == asset:
                return int(x["amount"])
        return 0


def address_key(account):
    """An smn_ address's public key, 64 hex digits (base-32 of the key)."""
    alphabet = "13456789abcdefghijkmnopqrstuwxyz"
    v = 0
    for ch in account[4:56]:
        v = v * 32 + alphabet.index(ch)
    return "%064X" % v


# A bytecode program that shows what reaches it: method 0 (state) emits its
# five arguments, 16 bytes each, under topic 7 and returns the first; method
# 1 (view) returns r1 + r2; method 2 (state) fails; method 3 (state) emits r1
# empty events (topic 0), about 206 gas each.
PROBE_ASM = """
.method 0 record state
.method 1 sum view
.method 2 refuse state
.method 3 spam state
record:
    mov r6, r1
    st r1, r15, 0, 16
    st r2, r15, 16, 16
    st r3, r15, 32, 16
    st r4, r15, 48, 16
    st r5, r15, 64, 16
    li r1, 7
    li r2, 0
    li r3, 80
    hcall emit
    halt r6
sum:
    add r0, r1, r2
    halt r0
refuse:
    fail
spam:
    mov r6, r1
spam_loop:
    jz r6, spam_done
    li r1, 0
    li r2, 0
    li r3, 0
    hcall emit
    subi r6, r6, 1
    jmp spam_loop
spam_done:
    halt r0
"""


def probe_args(hexdata):
    """The five arguments a probe's emit carries."""
    return [int(hexdata[32 * i:32 * i + 32], 16) for i in range(5)]
