"""GET /metrics on a running dev node: the text passes Debian's
`promtool check metrics` (format and lint), every process is up, each
process's own figures are there, and they move as the node works: a send
and its auto-receive raise the ledger's block and cemented counts, the
elections' confirmations and the rpc's request histogram; a SIGKILLed child
is counted in restarts. With `[rpc] metrics = false` the path is 404.

usage: test_metrics.py SMALLNANOD
"""
import os
import re
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request

from test_node_util import DevNode, check, run

SMN = 10 ** 30
SERIES = re.compile(r'^([a-z_][a-z0-9_]*)(\{[^}]*\})? (-?[0-9.]+|\+Inf)$')


def scrape(port):
    with urllib.request.urlopen("http://127.0.0.1:%d/metrics" % port, timeout=10) as r:
        check(r.status == 200, "status %s" % r.status)
        ctype = r.headers["Content-Type"]
        check(ctype.startswith("text/plain; version=0.0.4"), "content type %r" % ctype)
        return r.read().decode()


def values(text):
    out = {}
    for line in text.splitlines():
        if not line or line.startswith("#"):
            continue
        m = SERIES.match(line)
        check(m is not None, "unparsable line %r" % line)
        out[m.group(1) + (m.group(2) or "")] = float(m.group(3).replace("+Inf", "inf"))
    return out


def promtool(text):
    r = subprocess.run(["promtool", "check", "metrics"], input=text, capture_output=True,
                       text=True, timeout=60)
    check(r.returncode == 0 and not r.stdout.strip() and not r.stderr.strip(),
          "promtool check metrics: rc %d\n%s%s" % (r.returncode, r.stdout, r.stderr))


def wait_values(n, pred, what, timeout=10.0):
    t0 = time.time()
    while True:
        v = values(scrape(n.rpc_port))
        if pred(v):
            return v
        if time.time() - t0 > timeout:
            raise AssertionError("metrics never showed %s" % what)
        time.sleep(0.2)


def main():
    smallnanod = sys.argv[1]
    with DevNode(smallnanod) as n:
        # every child has answered a heartbeat with its registry
        v0 = wait_values(n, lambda v: "smallnano_vm_applied_seq" in v
                         and "smallnano_net_peers{direction=\"in\"}" in v
                         and "smallnano_rpc_work_jobs" in v
                         and "smallnano_bootstrap_rounds_total" in v, "every process's metrics")
        text = scrape(n.rpc_port)
        promtool(text)
        names = ["ledger", "net", "elections", "bootstrap", "vm", "rpc", "ws"]
        for p in names:
            check(v0['smallnano_process_up{process="%s"}' % p] == 1, p + " up")
            check(v0['smallnano_process_resident_memory_bytes{process="%s"}' % p] > 100000,
                  p + " RSS")
        check(v0["smallnano_ledger_blocks"] >= 1, "ledger blocks")
        for h in ("smallnano_rpc_request_duration_seconds_bucket{le=\"+Inf\"}",
                  "smallnano_rpc_request_duration_seconds_count",
                  "smallnano_rpc_request_duration_seconds_sum"):
            check(h in v0, h)

        demo, genesis = n.demo()
        acc = n.ok("account_create", wallet=demo)["account"]
        h = n.ok("send", wallet=demo, source=genesis, destination=acc, amount=str(SMN))["block"]
        n.wait_confirmed([h], timeout=10)
        n.wait_for(lambda: n.call("account_info", account=acc)[1].get("confirmation_height") == "1",
                   "the auto-receive confirmed", timeout=15)
        base_blocks, base_cem = v0["smallnano_ledger_blocks"], v0["smallnano_ledger_cemented_blocks"]
        v1 = wait_values(n, lambda v: v["smallnano_ledger_cemented_blocks"] >= base_cem + 2,
                         "the send and receive cemented")
        check(v1["smallnano_ledger_blocks"] == base_blocks + 2, "two more blocks: %s" % v1)
        check(v1["smallnano_elections_confirmed_total"] >= v0["smallnano_elections_confirmed_total"] + 2,
              "elections confirmed both")
        check(v1["smallnano_rpc_request_duration_seconds_count"]
              > v0["smallnano_rpc_request_duration_seconds_count"], "rpc requests counted")
        check(v1["smallnano_rpc_auto_receives_total"] >= 1, "auto-receive counted")
        check("smallnano_vm_events_total" in v1, "vm events counted")
        v1 = wait_values(n, lambda v: v["smallnano_vm_applied_seq"] >= v1["smallnano_ledger_cemented_blocks"],
                         "vm caught up")

        # a NanoVM deploy (docs/vm-examples/counter.asm): its events counted by type
        with open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "docs",
                               "vm-examples", "counter.asm")) as f:
            asm = f.read()
        t0 = time.time()
        while True:  # again while auto-receive has the account in flight
            _, r = n.call("vm_send", wallet=demo, source=genesis, message={"kind": "deploy", "asm": asm})
            if "in flight" not in r.get("error", "") or time.time() - t0 > 20:
                break
            time.sleep(0.05)
        check("error" not in r, "vm_send deploy: %r" % r)
        n.wait_confirmed(r["blocks"], timeout=20)
        v2 = wait_values(n, lambda v: v.get('smallnano_vm_events_by_type_total{type="deploy"}', 0) >= 1,
                         "the deploy event counted by type", 20)
        check(v2["smallnano_vm_events_total"] >= sum(
            x for k, x in v2.items() if k.startswith("smallnano_vm_events_by_type_total{")),
            "no more events by type than in all")
        promtool(scrape(n.rpc_port))

        # a SIGKILLed child: counted, and back up
        net_pid = [p["pid"] for p in n.status() if p["name"] == "net"][0]
        os.kill(net_pid, signal.SIGKILL)
        wait_values(n, lambda v: v['smallnano_process_restarts_total{process="net"}'] == 1
                    and v['smallnano_process_up{process="net"}'] == 1
                    and "smallnano_net_known_peers" in v, "net restarted and reporting", 20)
        promtool(scrape(n.rpc_port))

    with DevNode(smallnanod, config="[rpc]\nmetrics = false\n") as n:
        try:
            urllib.request.urlopen("http://127.0.0.1:%d/metrics" % n.rpc_port, timeout=10)
            check(False, "metrics off must be 404")
        except urllib.error.HTTPError as e:
            check(e.code == 404, "metrics off: %s" % e.code)


if __name__ == "__main__":
    run(main)
