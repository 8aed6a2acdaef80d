"""The WebSocket feed's vote topic on a two-node devnet (devnet.py: node 1
holds the only representative). A client of node 2's WebSocket subscribes
to "vote"; a send made on node 1 is voted for by node 1's representative,
the vote reaches node 2 over the peer network, and node 2's ws delivers it
in Nano's vote shape (representative address, signature, timestamp, block
hashes) naming the send.

usage: test_ws_votes.py SMALLNANOD
"""
import asyncio
import json
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import devnet_blocks as blocks  # noqa: E402
from devnet import Devnet  # noqa: E402
from test_node_util import check, run  # noqa: E402

import websockets  # noqa: E402


def ws_port(node):
    return int(node.extra_args[node.extra_args.index("--ws-port") + 1])


def main():
    with Devnet(sys.argv[1], nodes=2, reps=1) as net:
        a, b = net.nodes
        rep = net.reps[0]["account"]

        async def scenario():
            async with websockets.connect("ws://127.0.0.1:%d" % ws_port(b)) as w:
                await w.send(json.dumps({"action": "subscribe", "topic": "vote", "ack": True}))
                check(json.loads(await w.recv()).get("ack") == "subscribe", "vote ack")
                loop = asyncio.get_running_loop()
                h = await loop.run_in_executor(None, lambda: a.rpc_ok(
                    "send", "block", wallet=net.genesis_wallet, source=net.genesis,
                    destination=blocks.Key().account, amount="1"))
                seen = 0
                while True:
                    m = json.loads(await asyncio.wait_for(w.recv(), 20))
                    check(m.get("topic") == "vote" and re.fullmatch(r"\d+", m["time"]),
                          "envelope: %r" % m)
                    v = m["message"]
                    check(v["account"] == rep and re.fullmatch(r"[0-9A-F]{128}", v["signature"])
                          and re.fullmatch(r"\d+", v["timestamp"]) and v["type"] == "vote"
                          and all(re.fullmatch(r"[0-9A-F]{64}", x) for x in v["blocks"]),
                          "vote: %r" % v)
                    seen += 1
                    if h in v["blocks"]:
                        return seen
        seen = asyncio.run(scenario())
        print("vote topic: node 1's representative's vote for the send reached node 2's "
              "WebSocket (%d vote message(s) seen)" % seen)


if __name__ == "__main__":
    run(main)
