"""The wallet's and the node's local actions on a real dev node (issue 13):

1. work_get / work_set / wallet_work_get: the cache starts at zero, keeps
   what work_set stored (across an rpc restart: it is in wallets.db), and a
   wallet send from that account uses the cached work instead of searching
   (the block carries exactly the nonce we computed here, from a start no
   search of the node's would pick); bad work, an account outside the
   wallet and an unknown wallet get Nano's errors.
"""
import hashlib
import os
import random
import signal
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from test_node_util import DevNode, check, run  # noqa: E402

CONFIG = """
[rpc]
auto_receive = false
"""
DEV_SEND_THRESHOLD = 0xfe00000000000000
ZERO_WORK = "0" * 16


def work_value(root_hex, nonce):
    h = hashlib.blake2b(nonce.to_bytes(8, "little") + bytes.fromhex(root_hex), digest_size=8)
    return int.from_bytes(h.digest(), "little")


def find_work(root_hex, threshold):
    nonce = random.getrandbits(64)
    while work_value(root_hex, nonce) < threshold:
        nonce = (nonce + 1) % (1 << 64)
    return nonce


def rpc_restart(n):
    pid = [p for p in n.status() if p["name"] == "rpc"][0]["pid"]
    os.kill(pid, signal.SIGKILL)
    n.wait_ready(exclude_pids={pid})
    n.wait_for(lambda: n.call("version")[0] == 200, "rpc back", timeout=20)


def work_cache(n, demo, genesis):
    dest = n.ok("account_create", wallet=demo)["account"]
    check(n.ok("work_get", wallet=demo, account=genesis)["work"] == ZERO_WORK,
          "nothing cached at first")
    works = n.ok("wallet_work_get", wallet=demo)["works"]
    check(works == {genesis: ZERO_WORK, dest: ZERO_WORK}, "every account, zero: %s" % works)

    frontier = n.ok("account_info", account=genesis)["frontier"]
    nonce = find_work(frontier, DEV_SEND_THRESHOLD)
    work = "%016x" % nonce
    check(n.ok("work_set", wallet=demo, account=genesis, work=work) == {"success": ""},
          "work_set answers success")
    rpc_restart(n)
    check(n.ok("work_get", wallet=demo, account=genesis)["work"] == work,
          "work_get gives what work_set stored, after an rpc restart")
    check(n.ok("wallet_work_get", wallet=demo)["works"][genesis] == work, "wallet_work_get too")

    sent = n.ok("send", wallet=demo, source=genesis, destination=dest, amount="1000")["block"]
    blk = n.ok("block_info", hash=sent, json_block=True)["contents"]
    check(blk["work"] == work, "the send used the cached work: %s vs %s" % (blk["work"], work))
    # the next block's root is the send: the cached value no longer fits, the pool searches
    sent2 = n.ok("send", wallet=demo, source=genesis, destination=dest, amount="1000")["block"]
    blk2 = n.ok("block_info", hash=sent2, json_block=True)["contents"]
    check(blk2["work"] != work and work_value(sent, int(blk2["work"], 16)) >= DEV_SEND_THRESHOLD,
          "a stale cached value is not used: %s" % blk2["work"])

    check(n.err("work_set", wallet=demo, account=genesis, work="xyz") == "Bad work", "bad work")
    other = n.ok("key_create")["account"]
    check(n.err("work_get", wallet=demo, account=other) == "Account not found in wallet",
          "account outside the wallet")
    check(n.err("work_set", wallet=demo, account=other, work=work) ==
          "Account not found in wallet", "work_set outside the wallet")
    check(n.err("wallet_work_get", wallet="0" * 64) == "Wallet not found", "unknown wallet")
    check(n.err("work_get", wallet=demo, account="smn_bad") == "Bad account number",
          "bad account")
    print("work cache: ok (%s)" % work)


def main():
    with DevNode(sys.argv[1], config=CONFIG) as n:
        demo, genesis = n.demo()
        work_cache(n, demo, genesis)
        n.check_log()


if __name__ == "__main__":
    run(main)
