"""A real third-party client: sign_and_process.js (npm's nanocurrency and
tweetnacl at the versions package-lock.json pins, installed by
.ci/install-deps into $SMN_NPM_DIR) builds, signs and works a send and an
open block in Node.js, sends them with `process` to a real dev node and
reads them back confirmed. A missing install fails the test (never skips).

usage: test_nanocurrency.py SMALLNANOD
"""
import json
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "integration"))
from test_node_util import DevNode, check, run  # noqa: E402

DEV_GENESIS_KEY = "F9C9E3974A7AAFCC6B85584351865C7EF5D56088827C1974A90733368D771922"
CONFIG = """
[rpc]
auto_receive = false
"""


def main():
    npm_dir = os.environ.get("SMN_NPM_DIR",
                             os.path.expanduser("~/.cache/smallnano/npm-client"))
    modules = os.path.join(npm_dir, "node_modules")
    for pkg in ("nanocurrency", "tweetnacl"):
        check(os.path.isdir(os.path.join(modules, pkg)),
              "%s is not installed in %s: run .ci/install-deps" % (pkg, modules))
    with open(os.path.join(HERE, "package-lock.json")) as f, \
            open(os.path.join(npm_dir, "package-lock.json")) as g:
        check(json.load(f) == json.load(g), "%s is not the pinned install: run .ci/install-deps"
              % npm_dir)
    with DevNode(sys.argv[1], config=CONFIG) as n:
        env = dict(os.environ, NODE_PATH=modules)
        p = subprocess.run(["node", os.path.join(HERE, "sign_and_process.js"), str(n.rpc_port),
                            DEV_GENESIS_KEY], env=env, capture_output=True, text=True, timeout=60)
        print(p.stdout + p.stderr)
        check(p.returncode == 0, "the Node.js client failed")
        out = json.loads(p.stdout.strip().splitlines()[-1])
        info = n.ok("block_info", hash=out["open"])
        check(info["confirmed"] == "true" and info["block_account"] == out["account"],
              "the client's open block on the node: %s" % info)
        n.stop()


if __name__ == "__main__":
    run(main)
