"""A vm.db written by schema v1 gives the same answers after migration.

A dev node indexes vmblocks' phase 1 (burns, a token etch and mint as
chunked sends, a commit); its VM reads (programs, program, balances, token,
events, root, verify) are recorded through smallnano-cli; the node stops,
vm.db is turned into a v1 file (the v2 indexes dropped, schema_version 1),
the node starts again: the vm process migrates it in steps (the log says
so), the file ends at version 2 with its indexes, and every read answers
as before.

usage: test_vm_migrate.py SMALLNANOD SMALLNANO_CLI VMBLOCKS
"""
import json
import os
import signal
import sqlite3
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "integration"))
sys.path.insert(0, HERE)
from nodeutil import Node  # noqa: E402
from test_vm_proc import CONFIG, check, cli, free_port, submit, vmblocks, wait_events  # noqa: E402

V2_INDEXES = ["commits_program", "commits_result", "events_block", "balances_holder"]


def reads(tool, node):
    """Every VM read the CLI offers over what phase 1 built, as text."""
    out = {}
    progs = json.loads(cli(tool, node, "vm", "programs", "--json"))
    out["programs"] = progs
    ids = [p["program"] for p in progs["programs"]]
    check(len(ids) >= 2, "programs: %r" % progs)
    for pid in ids:
        out["program " + pid] = cli(tool, node, "vm", "program", pid, "--json")
        out["balances " + pid] = cli(tool, node, "vm", "balances", pid, "--json")
        out["root " + pid] = cli(tool, node, "vm", "root", pid)
    out["events"] = cli(tool, node, "vm", "events", "--json")
    evs = json.loads(out["events"])
    accounts = sorted({e["account"] for e in evs["events"]})
    check(accounts, "no events: %r" % evs)
    for a in accounts:
        out["balances of " + a] = cli(tool, node, "vm", "balances", "--account", a, "--json")
    out["verify"] = cli(tool, node, "vm", "verify")
    return out


def stop(node):
    node.proc.send_signal(signal.SIGTERM)
    check(node.wait_exit(30) is not None, "smallnanod did not stop:\n" + node.read_log())
    node.log.close()


def to_v1(path):
    db = sqlite3.connect(path)
    try:
        for name in V2_INDEXES:
            db.execute("DROP INDEX %s" % name)
        db.execute("UPDATE meta SET value=1 WHERE key='schema_version'")
        db.commit()
    finally:
        db.close()


def schema(path):
    db = sqlite3.connect(path)
    try:
        v = db.execute("SELECT value FROM meta WHERE key='schema_version'").fetchone()[0]
        idx = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type='index'")}
        return v, idx
    finally:
        db.close()


def main():
    smallnanod, tool, blocks_tool = sys.argv[1:4]
    phases = vmblocks(blocks_tool)
    config = CONFIG + "[net]\nport = %d\n[rpc]\nport = %d\n" % (free_port(), free_port())
    with Node(smallnanod, config) as node:
        node.wait_ready()
        evsock = os.path.join(node.data, "run", "vm-events.sock")
        submit(node, phases[1])
        wait_events(node, evsock, [h for _, h in phases[1]][-1:])
        before = reads(tool, node)
        vmdb = os.path.join(node.data, "vm.db")
        v, idx = schema(vmdb)
        check(v == 2 and set(V2_INDEXES) <= idx, "a new vm.db: version %r, indexes %r" % (v, idx))
        stop(node)

        to_v1(vmdb)
        v, idx = schema(vmdb)
        check(v == 1 and not set(V2_INDEXES) & idx, "the v1 file: %r %r" % (v, idx))

        node.start()
        node.wait_ready()
        deadline = time.time() + 30
        while time.time() < deadline and "now at schema version 2" not in node.read_log():
            time.sleep(0.05)
        check("now at schema version 2" in node.read_log(),
              "no migration in the log:\n" + node.read_log())
        v, idx = schema(vmdb)
        check(v == 2 and set(V2_INDEXES) <= idx, "after migration: version %r, indexes %r" %
              (v, idx))
        after = reads(tool, node)
        for k in before:
            check(before[k] == after[k], "%s changed by the migration:\nbefore %s\nafter %s" %
                  (k, before[k], after[k]))
    print("vm_migrate: ok (%d reads identical)" % len(before))


if __name__ == "__main__":
    main()
