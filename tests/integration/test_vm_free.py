"""Free messages, as docs/vm.md ("Free messages, and what they lock") states
them, on a real dev node with auto-receive on, through the CLI and RPC:

  - a message sent to the sender's own account with the wallet's vm_send
    costs nothing: once its chunks are received back, the balance is what
    it was;
  - what it locks is the sum of its chunk amounts (vm_message's
    amount_total, below 1 smn per chunk), read from the account's own chain
    (account_history raw: the balance after every block);
  - for how long: the chunks are consecutive blocks of the chain (the
    account stays in flight from the first to the last, so nothing lands
    between them), and the next blocks are their receives, one per chunk,
    after which the balance is back;
  - nothing is abandoned.

usage: test_vm_free.py SMALLNANOD SMALLNANO_CLI DOCS_VM_MD
"""
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from test_node_util import DevNode  # noqa: E402
from test_vm_util import SMN, PROBE_ASM, VmUser, check  # noqa: E402


def chain(n, account):
    """[(height, hash, subtype, balance, link)] of the account, by height."""
    r = n.ok("account_history", account=account, count="1000", raw=True)
    out = [(int(e["height"]), e["hash"], e["subtype"], int(e["balance"]), e["link"])
           for e in r["history"]]
    return sorted(out)


def settled(u, account):
    u.wait(lambda: not u.n.ok("receivable", account=account, count="10").get("blocks"),
           "receivables of %s drained" % account)
    return int(u.n.ok("account_balance", account=account)["balance"])


def free_message(u, gen, what, *args):
    n = u.n
    before = settled(u, gen)
    top = chain(n, gen)[-1][0]
    r, ev = u.send(*args)
    chunks = [int(h) for h in (n.ok("block_info", hash=b)["amount"] for b in r["blocks"])]
    k = len(chunks)
    check(int(r["amount_total"]) == sum(chunks) and all(0 < c <= SMN for c in chunks),
          "%s: chunk amounts %r, amount_total %s" % (what, chunks, r["amount_total"]))
    after = settled(u, gen)
    check(after == before, "%s cost %d raw" % (what, before - after))
    blocks = [b for b in chain(n, gen) if b[0] > top]
    check(len(blocks) == 2 * k, "%s: %d blocks on the chain, want %d sends and %d receives"
          % (what, len(blocks), k, k))
    sends, recvs = blocks[:k], blocks[k:]
    check([b[1] for b in sends] == r["blocks"] and all(b[2] == "send" for b in sends),
          "%s: the chunks are not consecutive blocks: %r" % (what, blocks))
    check(all(b[2] == "receive" for b in recvs) and
          sorted(b[4] for b in recvs) == sorted(r["blocks"]),
          "%s: the blocks after the chunks are not their receives: %r" % (what, blocks))
    lowest = min(b[3] for b in blocks)
    check(lowest == before - sum(chunks) and blocks[k - 1][3] == lowest
          and blocks[-1][3] == before,
          "%s: locked %d, want the chunks' sum %d" % (what, before - lowest, sum(chunks)))
    print("%s: %d chunks, locked %d raw (%.3f smn) for %d blocks of the chain, cost 0"
          % (what, k, sum(chunks), sum(chunks) / SMN, k))
    return ev


def main():
    smallnanod, cli, doc = sys.argv[1:4]
    with DevNode(smallnanod) as n:
        u = VmUser(n, cli, doc)
        _, gen = n.demo()
        ev = free_message(u, gen, "etch", "etch", "Gold", "GLD", 2, 1000000)
        check(ev["token.etch"]["code"] == "ok", repr(ev))
        path = os.path.join(n.data, "probe.asm")
        with open(path, "w") as f:
            f.write(PROBE_ASM)
        ev = free_message(u, gen, "deploy", "deploy", path)
        check(ev["deploy"]["code"] == "ok", repr(ev))
        ab = n.ok("vm_events", type="message", count="1000")["events"]
        check(not ab, "message.* events: %r" % ab)
        n.stop()
    print("ok")


if __name__ == "__main__":
    main()
