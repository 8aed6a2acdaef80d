"""A flood of RPC `process` requests cannot stop a node or starve honest
sends (issue 10: "process floods from RPC: memory stays bounded, honest
traffic still confirms").

One dev node (its demo wallet votes with the genesis weight), `[ledger]
max_unchecked = 1000`. Four client threads POST `process` with blocks that
have a valid signature and work but a previous block nobody has (gaps:
the ledger keeps them in unchecked) as fast as the node answers, 12,000
distinct blocks in all, each on a new connection. Meanwhile wallet sends
from the demo wallet, one after the other, must each be cemented. Then:

- every flood request got an answer (200 with a gap error, or 503 busy:
  none hung or failed at the HTTP level);
- the ledger holds at most max_unchecked unchecked blocks (block_count),
  and its RSS stays below 128 MiB (ASan's freed-memory quarantine kept
  small, as in test_net_floods.py);
- no child was restarted; no sanitizer report in the log.

usage: test_rpc_process_flood.py SMALLNANOD
"""
import http.client
import json
import os
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import devnet_blocks as blocks  # noqa: E402
from test_node_util import DevNode, check, run  # noqa: E402

MAX_UNCHECKED = 1000
FLOOD_BLOCKS = 12000
CLIENTS = 4
SENDS = 10
RSS_MAX_KIB = 128 * 1024
CONFIG = "[ledger]\nmax_unchecked = %d\n" % MAX_UNCHECKED
os.environ["ASAN_OPTIONS"] = ":".join(
    x for x in (os.environ.get("ASAN_OPTIONS", ""), "quarantine_size_mb=8") if x)


def rss_kib(pid):
    with open("/proc/%d/status" % pid) as f:
        return int([l for l in f if l.startswith("VmRSS:")][0].split()[1])


def gap_blocks(n):
    out = []
    for _ in range(n):
        key = blocks.Key()
        b = blocks.Block(key, os.urandom(32), key.public, 1000, os.urandom(32), False)
        out.append(json.dumps({"action": "process", "json_block": "true", "block": b.json()}))
    return out


def main():
    with DevNode(sys.argv[1], config=CONFIG) as node:
        pids = {p["name"]: p["pid"] for p in node.status()}
        wallet, genesis = node.demo()
        bodies = gap_blocks(FLOOD_BLOCKS)
        answers = {}
        failures = []
        lock = threading.Lock()

        def client(part):
            for body in part:
                c = http.client.HTTPConnection("127.0.0.1", node.rpc_port, timeout=30)
                try:
                    c.request("POST", "/", body=body,
                              headers={"Content-Type": "application/json"})
                    r = c.getresponse()
                    key = (r.status, json.loads(r.read()).get("error", "ok"))
                    with lock:
                        answers[key] = answers.get(key, 0) + 1
                except (OSError, http.client.HTTPException, ValueError) as e:
                    with lock:
                        failures.append(repr(e))
                finally:
                    c.close()

        threads = [threading.Thread(target=client, args=(bodies[i::CLIENTS],), daemon=True)
                   for i in range(CLIENTS)]
        for t in threads:
            t.start()
        during = 0  # honest sends cemented while the flood still ran
        for i in range(SENDS):
            if not any(t.is_alive() for t in threads):
                break
            dest = blocks.Key().account
            h = node.ok("send", wallet=wallet, source=genesis, destination=dest,
                        amount=str(1000 + i))["block"]
            node.wait_confirmed([h], timeout=30)
            during += any(t.is_alive() for t in threads)
        for t in threads:
            t.join(120)
        check(not any(t.is_alive() for t in threads), "flood clients still running after 120 s")
        print("flood answers: %s; %d HTTP failures" % (answers, len(failures)))
        print("%d honest sends cemented while the flood ran" % during)
        check(during >= 1, "no honest send was cemented while the flood ran")
        check(not failures, "flood requests failed: %s" % failures[:5])
        check(sum(answers.values()) == FLOOD_BLOCKS, "answers %r" % answers)
        check(set(s for s, _ in answers) <= {200, 503}, "unexpected statuses %r" % answers)
        unchecked = int(node.ok("block_count")["unchecked"])
        ledger_rss = rss_kib(pids["ledger"])
        print("unchecked %d (max %d); ledger RSS %d KiB" % (unchecked, MAX_UNCHECKED, ledger_rss))
        check(unchecked <= MAX_UNCHECKED, "unchecked %d above max_unchecked" % unchecked)
        check(ledger_rss <= RSS_MAX_KIB, "ledger RSS %d KiB above %d" % (ledger_rss, RSS_MAX_KIB))
        now = {p["name"]: p["pid"] for p in node.status()}
        check(now == pids, "children restarted: %r -> %r" % (pids, now))
        node.stop()


if __name__ == "__main__":
    run(main)
