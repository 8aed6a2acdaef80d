"""Shared by the test_node_* tests (not a test itself): a dev node on free
loopback ports in a temp dir, driven through its HTTP JSON RPC.

Everything started goes through nodeutil.Node, whose cleanup kills every
process it started (by pid), even when a test fails.
"""
import http.client
import json
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import nodeutil  # noqa: E402

GENESIS_KEY_NOTE = "the dev demo wallet holds the genesis account"


free_port = nodeutil.free_port


class RpcError(Exception):
    pass


class DevNode(nodeutil.Node):
    """nodeutil.Node on free ports, with an RPC client."""

    def __init__(self, smallnanod, config="", env=None, extra_args=(), prefix=()):
        self.rpc_port = free_port()
        self.peer_port = free_port()
        super().__init__(smallnanod, config=config, env=env,
                         extra_args=["--rpc-port", str(self.rpc_port),
                                     "--peering-port", str(self.peer_port)] + list(extra_args),
                         autostart=False, prefix=prefix)

    def __enter__(self):
        try:
            self.start_ready()
        except BaseException:
            self.cleanup()
            raise
        return self

    def addr_file(self):
        return os.path.join(self.data, "run", "rpc.addr")

    def raw(self, body, method="POST", timeout=10.0):
        """(HTTP status, body bytes); raises OSError when nothing listens."""
        c = http.client.HTTPConnection("127.0.0.1", self.rpc_port, timeout=timeout)
        try:
            if isinstance(body, (dict, list)):
                body = json.dumps(body)
            c.request(method, "/", body=body, headers={"Content-Type": "application/json"})
            r = c.getresponse()
            return r.status, r.read()
        finally:
            c.close()

    def call(self, action, timeout=10.0, **fields):
        """(HTTP status, decoded answer)."""
        req = {"action": action}
        req.update(fields)
        status, body = self.raw(req, timeout=timeout)
        return status, json.loads(body)

    def ok(self, action, **fields):
        """The answer of a call that must succeed."""
        status, r = self.call(action, **fields)
        if status != 200 or "error" in r:
            raise RpcError("%s %s -> %s %s" % (action, fields, status, r))
        return r

    def err(self, action, **fields):
        """The error text of a call that must fail."""
        status, r = self.call(action, **fields)
        if "error" not in r:
            raise RpcError("%s %s should fail, got %s %s" % (action, fields, status, r))
        return r["error"]

    def wait_rpc(self, timeout=30.0):
        """Wait until rpc.addr names our port and the RPC answers."""
        deadline = time.time() + timeout
        last = None
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise AssertionError("smallnanod exited:\n" + self.read_log())
            try:
                with open(self.addr_file()) as f:
                    addr = f.read()
                if addr == "127.0.0.1:%d\n" % self.rpc_port:
                    self.ok("version")
                    return
                last = "rpc.addr says %r" % addr
            except (OSError, RpcError, ValueError) as e:
                last = e
            time.sleep(0.02)
        raise AssertionError("RPC not up in %.0f s (%s)\n%s" % (timeout, last, self.read_log()))

    def start_ready(self):
        self.start()
        self.wait_ready()
        self.wait_rpc()

    def stop(self, timeout=30.0):
        """SIGTERM the supervisor and wait for a clean exit."""
        self.proc.terminate()
        rc = self.wait_exit(timeout)
        if rc != 0:
            raise AssertionError("smallnanod exit status %s:\n%s" % (rc, self.read_log()))
        self.check_log()

    def check_log(self):
        """No sanitizer report and no child that stopped uncleanly on SIGTERM."""
        log = self.read_log()
        for bad in ("Sanitizer", "runtime error:", "exited with status 1",
                    "was killed by signal 6", "was killed by signal 11"):
            if bad in log:
                raise AssertionError("%r in the node's log:\n%s" % (bad, log[-20000:]))

    def demo(self):
        """(demo wallet id, genesis account)."""
        w = self.ok("wallet_list")["wallets"][0]
        return w["id"], w["accounts"][0]

    def confirmed(self, h):
        return self.ok("block_info", hash=h)["confirmed"] == "true"

    def wait_confirmed(self, hashes, timeout=10.0):
        """Seconds until every hash is confirmed; AssertionError after timeout."""
        t0 = time.time()
        pending = list(hashes)
        while pending:
            pending = [h for h in pending if not self.confirmed(h)]
            if not pending:
                break
            if time.time() - t0 > timeout:
                raise AssertionError("not confirmed after %.1f s: %s\n%s"
                                     % (timeout, pending, self.read_log()))
            time.sleep(0.005)
        return time.time() - t0

    def wait_for(self, pred, what, timeout=10.0):
        t0 = time.time()
        while True:
            v = pred()
            if v:
                return v
            if time.time() - t0 > timeout:
                raise AssertionError("timed out waiting for %s\n%s" % (what, self.read_log()))
            time.sleep(0.01)


def check(cond, msg):
    if not cond:
        raise AssertionError(msg)


def run(main):
    """Run a test's main(); print FAIL and exit 1 on any exception."""
    try:
        main()
    except Exception as e:  # noqa: BLE001 - report whatever went wrong
        import traceback
        traceback.print_exc()
        nodeutil.fail(str(e)[:4000])
    print("ok")
