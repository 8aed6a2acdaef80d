"""smallnano-cli node status/restart/stop against a real node, and
smallnanod's own argument and config errors.

usage: test_cli_node_control.py SMALLNANOD SMALLNANO_CLI
"""
import json
import os
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'integration'))
from nodeutil import NAMES, Node, fail  # noqa: E402


def run(*args, timeout=60):
    p = subprocess.run(list(args), capture_output=True, text=True, timeout=timeout)
    return p.returncode, p.stdout, p.stderr


def check_daemon_errors(smallnanod, tmp):
    rc, out, err = run(smallnanod, "--help")
    if rc != 0 or "--data-dir" not in out:
        fail("--help: %d %r" % (rc, out))
    rc, out, err = run(smallnanod, "--bogus")
    if rc != 2 or "unknown" not in err:
        fail("unknown flag: %d %r" % (rc, err))
    rc, out, err = run(smallnanod, "--network", "dev")
    if rc != 2 or "data dir" not in err:
        fail("missing data dir: %d %r" % (rc, err))
    conf = os.path.join(tmp, "bad.conf")
    with open(conf, "w") as f:
        f.write("[node]\nnetwork = dev\n\n[rpc]\nprot = 7076\n")
    rc, out, err = run(smallnanod, "--data-dir", tmp, "--config", conf)
    if rc != 2 or ":5: unknown key 'prot' in [rpc]" not in err:
        fail("unknown config key: %d %r" % (rc, err))
    rc, out, err = run(smallnanod, "--data-dir", tmp, "--rpc-port", "70000")
    if rc != 2 or "--rpc-port" not in err:
        fail("bad port: %d %r" % (rc, err))
    rc, out, err = run(smallnanod, "--data-dir", tmp, "--network", "nonet")
    if rc != 2 or "network" not in err:
        fail("bad network: %d %r" % (rc, err))


def main():
    smallnanod, cli = sys.argv[1], sys.argv[2]
    with Node(smallnanod, "[supervisor]\nrestart_backoff_ms = 10\n") as node:
        check_daemon_errors(smallnanod, node.dir)
        procs = node.wait_ready()
        d = ["--data-dir", node.data]

        rc, out, err = run(cli, *d, "node", "status")
        if rc != 0 or len(out.strip().splitlines()) != 1 + len(NAMES):
            fail("status: %d %r %r" % (rc, out, err))
        for n in NAMES:
            if not any(line.split()[:1] == [n] and "running" in line for line in out.splitlines()):
                fail("status lacks %s: %r" % (n, out))

        rc, out, err = run(cli, *d, "node", "status", "--json")
        doc = json.loads(out)
        if rc != 0 or list(doc) != ["processes"] or len(doc["processes"]) != len(NAMES):
            fail("status --json: %d %r" % (rc, out))
        for p in doc["processes"]:
            if list(p) != ["name", "pid", "state", "restarts", "uptime_s"]:
                fail("json keys: %r" % p)
            if p["pid"] != procs[p["name"]]["pid"] or p["state"] != "running" or p["restarts"] != 0:
                fail("json entry: %r" % p)
        if '"processes":[{"name":"ledger","pid":' not in out:
            fail("json layout: %r" % out)
        rc2, out2, _ = run(cli, "--json", *d, "node", "status")
        if rc2 != 0 or json.loads(out2)["processes"][0]["name"] != "ledger":
            fail("--json before the command: %r" % out2)

        old = procs["net"]["pid"]
        rc, out, err = run(cli, *d, "node", "restart", "net")
        if rc != 0 or "restarting net" not in out:
            fail("restart: %d %r %r" % (rc, out, err))
        now = node.wait_ready(exclude_pids={old})
        if now["net"]["restarts"] != 1 or now["ledger"]["pid"] != procs["ledger"]["pid"]:
            fail("after restart: %r" % now)

        rc, out, err = run(cli, *d, "node", "restart", "nosuch")
        if rc == 0 or "unknown process 'nosuch'" not in err:
            fail("restart unknown: %d %r" % (rc, err))
        rc, out, err = run(cli, *d, "node", "restart")
        if rc != 2:
            fail("restart without a name: %d %r" % (rc, err))
        rc, out, err = run(cli, *d, "node", "frobnicate")
        if rc != 2:
            fail("unknown subcommand: %d" % rc)
        rc, out, err = run(cli, "node", "status")
        if rc != 2 or "--data-dir" not in err:
            fail("no data dir: %d %r" % (rc, err))

        # A second supervisor on the same data dir refuses to start.
        rc, out, err = run(smallnanod, "--data-dir", node.data, timeout=30)
        if rc == 0 or "already running" not in err:
            fail("second smallnanod: %d %r" % (rc, err))

        rc, out, err = run(cli, *d, "node", "stop")
        if rc != 0 or "node stopped" not in out:
            fail("stop: %d %r %r" % (rc, out, err))
        if node.wait_exit(10) != 0:
            fail("smallnanod exit status after node stop: %r" % node.proc.returncode)
        rc, out, err = run(cli, *d, "node", "status")
        if rc != 1 or "no node running" not in err:
            fail("status of a stopped node: %d %r" % (rc, err))
        print("ok: node status/restart/stop, daemon argument errors")


if __name__ == "__main__":
    main()
