"""Every method of the native token and vSMN programs with its full argument
list, as a user: through smallnano-cli and the RPC of a real dev node
(auto-receive on). Every event the messages produce is checked against the
layout docs/vm.md documents (test_vm_util.Layouts).

  - token: etch (name, symbol, decimals, cap; and a bad one), mint (and by
    another account, and above the cap), transfer (and above the balance),
    an unknown method, transfer_call into a bytecode probe with the token's
    one forwarded argument, withdraw of what the probe owes back;
  - vSMN: mint by burn, transfer, transfer_call with both forwarded
    arguments (a 32-byte account's two halves: the issue's fifth-argument
    bug), withdraw;
  - a bytecode call with all five arguments at their five widths;
  - escrow.asm's refund path: a deposit by vSMN transfer_call, a refund
    refused to the depositor and made by the beneficiary, the payout.

The swap program and the remaining event types: test_vm_events.py.

usage: test_vm_natives.py SMALLNANOD SMALLNANO_CLI DOCS_VM_MD ESCROW_ASM
"""
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from test_node_util import DevNode  # noqa: E402
from test_vm_util import (SMN, PROBE_ASM, VmUser, address_key, check,  # noqa: E402
                          probe_args)

# The event types this test must produce (test_vm_events.py the others).
TYPES = ["token.etch", "token.mint", "token.send", "token.receive", "vsmn.mint",
         "vsmn.send", "vsmn.receive", "deploy", "call", "emit"]


def main():
    smallnanod, cli, doc, escrow_asm = sys.argv[1:5]
    with DevNode(smallnanod) as n:
        u = VmUser(n, cli, doc)
        wallet, gen = n.demo()
        b = n.ok("account_create", wallet=wallet)["account"]
        h = u.wallet_send(wallet=wallet, source=gen, destination=b, amount=str(1000 * SMN))
        n.wait_confirmed([h])
        u.wait(lambda: int(n.ok("account_balance", account=b)["balance"]) > 0, "B funded")

        # --- token.etch: all four arguments, then a bad decimals ---
        r, ev = u.send("etch", "Gold", "GLD", 2, 1000000)
        e = ev["token.etch"]
        check(e["code"] == "ok" and e["token"] == r["blocks"][-1], repr(e))
        check(e["meta"] == {"name": "Gold", "symbol": "GLD", "decimals": 2, "etcher": gen,
                            "cap": "1000000", "minted": "0"}, repr(e))
        token = e["token"]
        ref = token[:32]
        r, ev = u.send("etch", "Bad", "BAD", 39, 1)
        check(ev["token.etch"]["code"] == "bad_args" and ev["token.etch"]["meta"] is None,
              repr(ev))

        # --- token.mint: ref, amount; by another account; above the cap ---
        r, ev = u.send("mint", token, 5000)
        check(ev["token.mint"] == {"code": "ok", "token": token, "to": gen, "amount": "5000"},
              repr(ev))
        r, ev = u.send("mint", ref, 1, "--source", b, "--to", b)
        check(ev["token.mint"]["code"] == "not_etcher", repr(ev))
        r, ev = u.send("mint", token, 995001)
        check(ev["token.mint"]["code"] == "cap", repr(ev))
        check(n.ok("vm_token", token=ref)["minted"] == "5000", "failed mints minted")

        # --- token.transfer: ref, amount; above the balance ---
        r, ev = u.send("transfer", token, 1200, "--to", b)
        check(ev["token.send"] == {"code": "ok", "method": 2, "asset": token, "from": gen,
                                   "to": b, "amount": "1200"}, repr(ev))
        check(ev["token.receive"] == ev["token.send"], repr(ev))
        r, ev = u.send("transfer", token, 10 ** 9, "--to", b)
        check(ev["token.send"]["code"] == "insufficient" and "token.receive" not in ev
              and ev["token.send"]["asset"] == ref + "00" * 16, repr(ev))
        check(u.balances(b)[("smn.token", token)] == 1200, "failed transfer moved tokens")
        # an unknown method of the token program
        r, ev = u.send("send", "--message", '{"kind": "call", "program": "smn.token", '
                       '"method": 9, "args": ["0x%s"]}' % ref)
        check(ev["token.send"]["code"] == "no_method" and ev["token.send"]["method"] == 9,
              repr(ev))

        # --- a bytecode probe, hosted by gen; a call with five arguments ---
        probe_path = os.path.join(n.data, "probe.asm")
        with open(probe_path, "w") as f:
            f.write(PROBE_ASM)
        r, ev = u.send("deploy", probe_path)
        check(ev["deploy"] == {"code": "ok", "host": gen, "code_kind": 1, "detail": 0}, repr(ev))
        probe = r["blocks"][-1]
        five = [0xFE, 0xBEEF, 0xDEADBEEF, 2 ** 64 - 2, 2 ** 128 - 3]
        r, ev = u.send("call", probe, 0, "u8:%d" % five[0], "u16:%d" % five[1],
                       "u32:%d" % five[2], "u64:%d" % five[3], "u128:%d" % five[4])
        check(probe_args(ev["emit"]["data"]) == five, "five args: %r" % ev)
        c = ev["call"]
        check(c["code"] == "ok" and c["caller"] == gen and c["method"] == 0
              and c["vm_status"] == "ok" and c["return"] == str(five[0])
              and c["input_asset"] == "smn" and c["refunded"] == "0" and int(c["gas"]) > 0,
              repr(c))
        # absent arguments in between arrive as 0
        r, ev = u.send("call", probe, 0, "-", 5, "-", "-", 9)
        check(probe_args(ev["emit"]["data"]) == [0, 5, 0, 0, 9], repr(ev))

        # --- token.transfer_call: ref, amount, prefix, method, arg ---
        arg = 0xFFEEDDCCBBAA99887766554433221100
        r, ev = u.send("transfer-call", token, 300, probe, 0, hex(arg), "--source", b)
        check(ev["token.send"]["method"] == 3 and ev["token.send"]["to"] == gen
              and ev["token.receive"]["amount"] == "300", repr(ev))
        check(probe_args(ev["emit"]["data"]) == [arg, 0, 0, 0, 0],
              "token transfer_call forwarded %r" % ev["emit"])
        c = ev["call"]
        check(c["caller"] == b and c["input_asset"] == token and c["refunded"] == "300"
              and c["return"] == str(arg), repr(c))
        check(u.owed(probe, b, token) == 300, "the probe owes B its input")
        # a transfer_call to a prefix gen hosts no program under: a plain
        # transfer to gen (rule 1), recorded as a no_program call
        before = u.balances(gen)[("smn.token", token)]
        r, ev = u.send("transfer-call", token, 7, "0123456789ABCDEF", 0, 1, "--source", b,
                       "--to", gen)
        check(ev["call"]["code"] == "no_program" and ev["token.receive"]["amount"] == "7",
              repr(ev))
        check(u.balances(gen)[("smn.token", token)] == before + 7, "no_program: not credited")
        r, ev = u.send("transfer", token, 7, "--to", b)  # back, for the sums below
        # --- token.withdraw: ref, amount, prefix (the host pays B) ---
        r, ev = u.send("withdraw", token, 300, probe, "--to", b)
        check(ev["token.send"] == {"code": "ok", "method": 4, "asset": token, "from": gen,
                                   "to": b, "amount": "300"} and
              ev["token.receive"]["amount"] == "300", repr(ev))
        check(u.balances(b)[("smn.token", token)] == 1200 and u.owed(probe, b, token) == 0,
              "withdraw")
        r, ev = u.send("withdraw", token, 1, probe, "--to", b)
        check(ev["token.send"]["code"] == "insufficient", "withdraw above owed: %r" % ev)

        # --- vsmn.mint by a burn ---
        r = u.cli("burn", 1000000, "--source", b)
        n.wait_confirmed([r["block"]])
        u.wait(lambda: u.balances(b).get(("smn.vsmn", "smn")) == 1000000, "vSMN minted")
        mints = u.events(n.ok("vm_events", type="vsmn.mint", account=b)["events"])
        check(len(mints) == 1 and mints[0]["fields"] == {"code": "ok", "account": b,
                                                          "amount": "1000000"}, repr(mints))
        # --- vsmn.transfer: amount ---
        r, ev = u.send("transfer", "vsmn", 10, "--to", gen, "--source", b)
        check(ev["vsmn.send"] == {"code": "ok", "method": 2, "asset": "smn", "from": b,
                                  "to": gen, "amount": "10"} and
              ev["vsmn.receive"] == ev["vsmn.send"], repr(ev))
        # --- vsmn.transfer_call: amount, prefix, method, a, b ---
        key = address_key(b)
        hi, lo = int(key[:32], 16), int(key[32:], 16)
        r, ev = u.send("transfer-call", "vsmn", 600, probe, 0, hex(hi), hex(lo), "--source", b)
        check(probe_args(ev["emit"]["data"]) == [hi, lo, 0, 0, 0],
              "vsmn transfer_call forwarded %r" % ev["emit"])
        check(ev["call"]["input_asset"] == "smn" and ev["call"]["refunded"] == "600", repr(ev))
        # --- vsmn.withdraw: amount, prefix ---
        r, ev = u.send("withdraw", "vsmn", 600, probe, "--to", b)
        check(ev["vsmn.send"]["method"] == 4 and ev["vsmn.receive"]["to"] == b
              and ev["vsmn.receive"]["amount"] == "600", repr(ev))
        check(u.balances(b)[("smn.vsmn", "smn")] == 1000000 - 10, "vSMN after withdraw")

        # --- escrow.asm's refund path (vm_app runs deposit and release):
        # B deposits 500 vSMN for gen through transfer_call, B may not
        # refund, gen (the beneficiary) refunds, gen as host pays B out ---
        r, ev = u.send("deploy", escrow_asm)
        escrow = r["blocks"][-1]
        gk = address_key(gen)
        r, ev = u.send("transfer-call", "vsmn", 500, escrow, 0, "0x" + gk[:32], "0x" + gk[32:],
                       "--source", b)
        check(ev["call"]["code"] == "ok" and ev["call"]["refunded"] == "0", repr(ev))
        box = int(ev["call"]["return"])
        bx = u.rpc("vm_boxes", program=escrow)
        check(bx["count"] == 1 and bx["boxes"][0]["balances"] == [{"asset": "smn",
                                                                    "amount": "500"}], repr(bx))
        bb = u.rpc("vm_balances", program=escrow, box=str(box))["balances"]
        check(len(bb) == 1 and bb[0]["amount"] == "500", repr(bb))
        r, ev = u.send("call", escrow, 2, box, "--source", b)
        check(ev["call"]["code"] == "fault" and ev["call"]["vm_status"] == "fail", repr(ev))
        r, ev = u.send("call", escrow, 2, box)
        check(ev["call"]["code"] == "ok" and ev["call"]["return"] == "500"
              and ev["call"]["caller"] == gen, repr(ev))
        check(n.ok("vm_view", program=escrow, method=3, args=[box])["return"] == "0",
              "the box is closed")
        check(u.owed(escrow, b, "smn") == 500, "the escrow owes the depositor its refund")
        r, ev = u.send("withdraw", "vsmn", 500, escrow, "--to", b)
        check(ev["vsmn.receive"]["amount"] == "500", repr(ev))
        check(u.balances(b)[("smn.vsmn", "smn")] == 1000000 - 10, "vSMN after the refund")

        # every event of the node, paged through vm_events, is as documented
        u.all_events()
        missing = [t for t in TYPES if t not in u.seen]
        check(not missing, "event types not produced: %r" % missing)
        n.stop()
    print("ok")


if __name__ == "__main__":
    main()
