"""The built-in explorer in a real browser: a dev node with a funded
account, then tests/browser/explorer.mjs drives headless Chromium (Debian's
chromium, npm's playwright-core from tests/browser/node_modules, installed by
.ci/install-deps): network page, search, a block, a live confirmation
appearing without a reload, representatives, a phone-sized screen. Also the
HTTP side without a browser: routes, headers, and the switch that turns the
explorer off.

usage: test_explorer.py SMALLNANOD [SCREENSHOT_DIR]
"""
import json
import os
import subprocess
import sys
import time
import urllib.request

from test_node_util import DevNode, check, run

SMN = 10 ** 30
HERE = os.path.dirname(os.path.abspath(__file__))
BROWSER_DIR = os.path.join(HERE, "..", "browser")


def get(port, path, method="GET"):
    req = urllib.request.Request("http://127.0.0.1:%d%s" % (port, path), method=method)

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *a, **k):
            return None

    opener = urllib.request.build_opener(NoRedirect)
    try:
        with opener.open(req, timeout=10) as r:
            return r.status, dict(r.headers), r.read()
    except urllib.error.HTTPError as e:
        return e.code, dict(e.headers), e.read()


def http_checks(n):
    port = n.rpc_port
    st, hdr, _ = get(port, "/")
    check(st == 302 and hdr.get("Location") == "/explorer/", "GET / redirects: %s %s" % (st, hdr))
    for path in ("/explorer/", "/explorer/account/smn_x", "/explorer/block/ABC", "/explorer/programs"):
        st, hdr, body = get(port, path)
        check(st == 200 and hdr["Content-Type"].startswith("text/html") and b"<title>" in body,
              "GET %s is the page: %s" % (path, st))
        check("default-src 'self'" in hdr.get("Content-Security-Policy", ""), "CSP on " + path)
    st, hdr, body = get(port, "/explorer/assets/app.js")
    check(st == 200 and hdr["Content-Type"].startswith("text/javascript") and b"rpc(" in body,
          "app.js: %s" % st)
    st, hdr, body = get(port, "/explorer/assets/app.js", method="HEAD")
    check(st == 200 and body == b"", "HEAD app.js: %s %r" % (st, body[:20]))
    for path in ("/explorer/assets/none.js", "/explorer/assets/index.html", "/explorer/../etc/passwd",
                 "/explorer/a.b", "/metricsx", "/wallets.db"):
        st, _, body = get(port, path)
        check(st == 404, "GET %s: 404, got %s" % (path, st))
    st, _, body = get(port, "/explorer/feed.json")
    ws_port = n.extra_args[n.extra_args.index("--ws-port") + 1]
    check(st == 200 and json.loads(body) == {"websocket": {"port": int(ws_port)}},
          "feed.json names the WebSocket port %s: %s %r" % (ws_port, st, body))
    status, body = n.raw("{}", method="PUT")
    check(status == 405, "PUT: %s" % status)


def main():
    smallnanod = sys.argv[1]
    shots = sys.argv[2] if len(sys.argv) > 2 else ""
    with DevNode(smallnanod) as n:
        http_checks(n)
        demo, genesis = n.demo()
        acc = n.ok("account_create", wallet=demo)["account"]
        for amount in (10, 2):
            h = n.ok("send", wallet=demo, source=genesis, destination=acc,
                     amount=str(amount * SMN))["block"]
            n.wait_confirmed([h], timeout=10)
        # auto-receive (dev) opens acc; wait until both receives are confirmed
        n.wait_for(lambda: n.call("account_info", account=acc)[1].get("confirmation_height") == "2",
                   "both receives confirmed", timeout=15)
        # a NanoVM program (docs/vm-examples/counter.asm), deployed and called
        # through the wallet: its id is the deploy message's last block
        with open(os.path.join(HERE, "..", "..", "docs", "vm-examples", "counter.asm")) as f:
            asm = f.read()
        def vm_send(message):
            """vm_send, again while auto-receive takes the chunks back (in flight)."""
            t0 = time.time()
            while True:
                _, r = n.call("vm_send", wallet=demo, source=genesis, message=message)
                if "in flight" not in r.get("error", "") or time.time() - t0 > 20:
                    check("error" not in r, "vm_send: %r" % r)
                    return r
                time.sleep(0.05)

        r = vm_send({"kind": "deploy", "asm": asm})
        program = r["blocks"][-1]
        check(len(r["blocks"]) >= 3, "the deploy takes several chunks: %d" % len(r["blocks"]))
        first_send, chunk_send = r["blocks"][0], r["blocks"][1]
        n.wait_confirmed(r["blocks"], timeout=20)
        n.wait_for(lambda: n.call("vm_program_info", program=program)[1].get("kind") == "bytecode",
                   "the program indexed", timeout=20)
        r = vm_send({"kind": "call", "program": program, "method": 0})
        n.wait_confirmed(r["blocks"], timeout=20)
        cmd = ["node", os.path.join(BROWSER_DIR, "explorer.mjs"), "http://127.0.0.1:%d" % n.rpc_port,
               demo, genesis, acc, program, first_send, chunk_send]
        if shots:
            os.makedirs(shots, exist_ok=True)
            cmd.append(os.path.abspath(shots))
        r = subprocess.run(cmd, cwd=BROWSER_DIR, capture_output=True, text=True, timeout=120)
        sys.stdout.write(r.stdout)
        sys.stderr.write(r.stderr)
        check(r.returncode == 0, "the browser run failed (exit %d)" % r.returncode)
        n.check_log()

    # The switch: off, GET answers 404 and POST still works.
    with DevNode(smallnanod, config="[rpc]\nexplorer = false\n") as n:
        st, _, body = get(n.rpc_port, "/explorer/")
        check(st == 404 and b"explorer is off" in body, "explorer off: %s %r" % (st, body))
        st, _, body = get(n.rpc_port, "/explorer/feed.json")
        check(st == 404, "feed.json with the explorer off: %s" % st)
        check(n.ok("block_count")["count"] == "1", "POST answers with the explorer off")

    # No WebSocket: the explorer is told there is no feed (and polls).
    with DevNode(smallnanod, config="[ws]\nenable = false\n") as n:
        st, _, body = get(n.rpc_port, "/explorer/feed.json")
        check(st == 200 and json.loads(body) == {"websocket": None}, "no feed: %s %r" % (st, body))


if __name__ == "__main__":
    run(main)
