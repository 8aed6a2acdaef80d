"""The WebSocket feed's vm topic (docs/websocket.md "vm") against a dev node
with real NanoVM messages (tests/vm/process/vmblocks: burns, a token etch
and mint, a commit), with Python's websockets as the client:

- subscribed from cursor 0, a WebSocket client gets exactly the events the
  vm event socket itself lists from 0, in cursor order, as JSON (hex ids,
  smn_ accounts);
- then the next phase's events arrive live on the same subscription;
- a new subscription with "from" = the last backlog cursor gets only the
  later events; a "type" filter selects what it says.

usage: test_ws_vm.py SMALLNANOD VMBLOCKS
"""
import asyncio
import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, "..", "vm", "process"))
from test_node_util import DevNode, check, free_port, run  # noqa: E402
from test_vm_proc import submit, vmblocks, wait_events  # noqa: E402

import websockets  # noqa: E402


async def vm_events(url, n, **options):
    """Subscribe to vm with options; the next n vm messages."""
    async with websockets.connect(url) as w:
        await w.send(json.dumps({"action": "subscribe", "topic": "vm", "ack": True,
                                 "options": options}))
        ack = json.loads(await asyncio.wait_for(w.recv(), 10))
        check(ack.get("ack") == "subscribe", "ack: %r" % ack)
        out = []
        while len(out) < n:
            m = json.loads(await asyncio.wait_for(w.recv(), 15))
            check(m.get("topic") == "vm", "not a vm message: %r" % m)
            out.append(m)
        try:  # and nothing more
            extra = await asyncio.wait_for(w.recv(), 0.3)
            raise AssertionError("unexpected vm message %s" % extra[:300])
        except asyncio.TimeoutError:
            pass
        return out


def same(ws_msgs, ipc_events, what):
    got = [(int(m["cursor"]), m["message"]["block_hash"], m["message"]["type"],
            int(m["message"]["height"]), m["message"]["data"]) for m in ws_msgs]
    want = [(e["cursor"], e["block_hash"].hex().upper(), e["type"], e["height"],
             e["data"].hex().upper()) for e in ipc_events]
    check(got == want, "%s:\nws  %r\nipc %r" % (what, got[:5], want[:5]))


def main():
    smallnanod, blocks_tool = sys.argv[1:3]
    phases = vmblocks(blocks_tool)
    port = free_port()
    with DevNode(smallnanod, config="[rpc]\nauto_receive = false\n[ws]\nport = %d\n"
                 % port) as n:
        url = "ws://127.0.0.1:%d" % port
        evsock = os.path.join(n.data, "run", "vm-events.sock")
        submit(n, phases[1])
        all1 = wait_events(n, evsock, [h for _, h in phases[1][:3]] + [phases[1][-1][1]])

        async def scenario():
            # backlog from 0 on one subscription, then phase 2 live on it
            async with websockets.connect(url) as w:
                await w.send(json.dumps({"action": "subscribe", "topic": "vm", "ack": True,
                                         "options": {"from": "0"}}))
                check(json.loads(await w.recv()).get("ack") == "subscribe", "vm ack")
                backlog = [json.loads(await asyncio.wait_for(w.recv(), 15))
                           for _ in range(len(all1))]
                same(backlog, all1, "backlog from 0")
                m = backlog[0]["message"]
                check(m["account"].startswith("smn_") and len(m["program"]) == 64,
                      "event shape: %r" % m)
                await asyncio.get_running_loop().run_in_executor(None, submit, n, phases[2])
                live_ipc = wait_events(n, evsock, [h for _, h in phases[2]])[len(all1):]
                live = [json.loads(await asyncio.wait_for(w.recv(), 15))
                        for _ in range(len(live_ipc))]
                same(live, live_ipc, "live after the backlog")
            last = backlog[-1]["cursor"]
            resumed = await vm_events(url, len(live_ipc), **{"from": last})
            same(resumed, live_ipc, "resume from %s" % last)
            tokens = [e for e in all1 + live_ipc if e["type"].startswith("token.")]
            filtered = await vm_events(url, len(tokens), type="token", **{"from": "0"})
            same(filtered, tokens, "type filter")
            return len(backlog), len(live)
        nb, nl = asyncio.run(scenario())
        print("vm topic: %d events from cursor 0, %d live, resume and type filter exact"
              % (nb, nl))
        n.check_log()


if __name__ == "__main__":
    run(main)
