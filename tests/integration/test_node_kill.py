"""Killing children of a running dev node with SIGKILL:

- rpc: while it is down, HTTP requests fail cleanly (connection refused or
  an error answer, never a hang or a garbled answer); once the supervisor
  has restarted it, they succeed again;
- elections: a send submitted while it is down is confirmed after it comes
  back (it rebuilds its view from ledger.db);
- ledger: a request during the outage gets an error answer or, once the
  restarted ledger took it from the socket backlog, a normal one; after the
  restart sends work and confirm again.

Also: the RPC port taken by another program does not stop the node (rpc
keeps retrying, nothing restarts); the RPC serves once the port is free.

Restarts are slowed down ([supervisor] restart_backoff_ms = 600) so each
outage is long enough to be observed.

usage: test_node_kill.py SMALLNANOD
"""
import http.client
import json
import os
import signal
import socket
import sys
import time

from test_node_util import DevNode, check, run

SMN = 10 ** 30
CONFIG = """[rpc]
auto_receive = false
[supervisor]
restart_backoff_ms = 600
restart_backoff_max_ms = 2000
max_restarts = 20
"""


def pid_of(n, name):
    return {p["name"]: p for p in n.status()}[name]["pid"]


def state_of(n, name):
    return {p["name"]: p for p in n.status()}[name]["state"]


def try_call(n, action, **fields):
    """('refused'|'error'|'ok', detail) for one request; fails on anything
    that is not a clean outcome."""
    try:
        status, body = n.raw(dict(action=action, **fields), timeout=15)
    except (ConnectionRefusedError, ConnectionResetError, http.client.RemoteDisconnected) as e:
        return "refused", type(e).__name__
    r = json.loads(body)  # a garbled answer fails the test here
    if "error" in r:
        return "error", "%s %s" % (status, r["error"])
    check(status == 200, "a success with HTTP %s" % status)
    return "ok", r


def main():
    smallnanod = sys.argv[1]
    with DevNode(smallnanod, config=CONFIG) as n:
        demo, genesis = n.demo()
        dest = n.ok("key_create")["account"]

        def send(amount=1):
            return n.ok("send", wallet=demo, source=genesis, destination=dest,
                        amount=str(amount * SMN))["block"]

        n.wait_confirmed([send()])

        # ---- rpc
        old = pid_of(n, "rpc")
        os.kill(old, signal.SIGKILL)
        outcomes = []
        t0 = time.time()
        while True:
            kind, detail = try_call(n, "block_count")
            outcomes.append(kind)
            if kind == "ok" and pid_of(n, "rpc") != old:
                break
            check(time.time() - t0 < 20, "rpc not back after 20 s: %s\n%s"
                  % (outcomes[-5:], n.read_log()))
            time.sleep(0.02)
        check(outcomes[0] == "refused", "the first request after the kill: %s" % outcomes[:3])
        print("rpc: %d requests refused while down, back after %.2f s"
              % (outcomes.count("refused"), time.time() - t0))
        n.wait_ready()
        n.wait_rpc()
        n.wait_confirmed([send()])

        # ---- elections
        old = pid_of(n, "elections")
        os.kill(old, signal.SIGKILL)
        n.wait_for(lambda: state_of(n, "elections") != "running", "elections seen down", 5)
        during = send()  # the ledger accepts it; nobody votes
        down = state_of(n, "elections") != "running"
        if down:
            check(not n.confirmed(during), "confirmed with elections down?")
        n.wait_ready(exclude_pids={old})
        took = n.wait_confirmed([during], timeout=10)
        print("elections: a send made while it was down (%s) confirmed %.0f ms after it was back"
              % ("checked unconfirmed" if down else "restart raced", took * 1000))

        # ---- ledger
        old = pid_of(n, "ledger")
        os.kill(old, signal.SIGKILL)
        kind, detail = try_call(n, "send", wallet=demo, source=genesis, destination=dest,
                                amount=str(SMN))
        print("ledger down: send answered %s %s" % (kind, detail if kind != "ok" else ""))
        check(kind in ("ok", "error"), "rpc itself stays up: %s %s" % (kind, detail))
        if kind == "error":
            check(detail.startswith("503"), "a clean 503 error: %s" % detail)
        n.wait_ready(exclude_pids={old})
        sent = 4 if kind == "ok" else 3

        def send_ok():
            r = try_call(n, "send", wallet=demo, source=genesis, destination=dest,
                         amount=str(SMN))
            return r[1] if r[0] == "ok" else None

        h = n.wait_for(send_ok, "a send after the ledger restart", timeout=10)
        n.wait_confirmed([h["block"]], timeout=10)
        bal = n.ok("account_balance", account=dest)
        check(bal["receivable"] == str((sent + 1) * SMN), "every accepted send is there: %s"
              % bal)
        n.stop()

    port_in_use(smallnanod)


def port_in_use(smallnanod):
    n = DevNode(smallnanod, config=CONFIG)
    squatter = socket.socket()
    try:
        squatter.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        squatter.bind(("127.0.0.1", n.rpc_port))
        squatter.listen(1)
        n.start()
        procs = n.wait_ready()
        time.sleep(1.5)  # rpc has failed to bind at least once
        check(procs["rpc"]["pid"] == pid_of(n, "rpc"), "rpc restarted over a busy port")
        check(not os.path.exists(n.addr_file()), "rpc.addr written without listening")
        squatter.close()
        n.wait_rpc(timeout=40)  # the next retry binds
        n.stop()
        print("rpc port in use: node up, RPC served once the port was free")
    finally:
        squatter.close()
        n.cleanup()


if __name__ == "__main__":
    run(main)
