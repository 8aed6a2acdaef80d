// A third-party client of smallnano's JSON RPC, as docs/rpc.md "Building
// blocks" shows it: npm's nanocurrency (addresses after the prefix swap,
// block hashes, proof of work) and tweetnacl (standard Ed25519, SHA-512:
// smn's signature, not Nano's Ed25519-Blake2b) build and sign a send from
// the dev genesis account to a new key, and its open (receive) block; both
// go to the node with `process` and must come back confirmed.
//
// usage: node sign_and_process.js RPC_PORT GENESIS_PRIVATE_KEY_HEX
// (NODE_PATH names the node_modules that hold nanocurrency and tweetnacl)
"use strict";
const http = require("http");
const nano = require("nanocurrency");
const nacl = require("tweetnacl");

const port = Number(process.argv[2]);
const genesisKey = process.argv[3];

function rpc(body) {
  return new Promise((resolve, reject) => {
    const data = JSON.stringify(body);
    const req = http.request({ host: "127.0.0.1", port, method: "POST", path: "/",
                               headers: { "Content-Type": "application/json",
                                          "Content-Length": Buffer.byteLength(data) } },
      (res) => {
        let text = "";
        res.on("data", (c) => (text += c));
        res.on("end", () => {
          try { resolve(JSON.parse(text)); } catch (e) { reject(new Error(text)); }
        });
      });
    req.on("error", reject);
    req.end(data);
  });
}

const hex = (b) => Buffer.from(b).toString("hex").toUpperCase();
const toSmn = (a) => "smn_" + a.slice(a.indexOf("_") + 1);
const toNano = (a) => "nano_" + a.slice(a.indexOf("_") + 1);

// smn keys are standard Ed25519: the 32-byte private key is the seed
function keyOf(privHex) {
  const kp = nacl.sign.keyPair.fromSeed(Buffer.from(privHex, "hex"));
  const pub = hex(kp.publicKey);
  return { kp, pub, account: toSmn(nano.deriveAddress(pub, { useNanoPrefix: true })) };
}

async function stateBlock(key, previous, representative, balance, link, workRoot, threshold) {
  const hash = nano.hashBlock({ account: toNano(key.account), previous, representative:
                                toNano(representative), balance, link });
  const signature = hex(nacl.sign.detached(Buffer.from(hash, "hex"), key.kp.secretKey));
  const work = await nano.computeWork(workRoot, { workThreshold: threshold });
  if (!nano.validateWork({ blockHash: workRoot, work, threshold }))
    throw new Error("nanocurrency made work it does not accept");
  return { hash, block: { type: "state", account: key.account, previous, representative,
                          balance, link, signature, work } };
}

async function waitConfirmed(hash) {
  for (let i = 0; i < 300; i++) {
    const r = await rpc({ action: "block_info", hash, json_block: true });
    if (r.confirmed === "true") return r;
    await new Promise((s) => setTimeout(s, 100));
  }
  throw new Error("not confirmed in 30 s: " + hash);
}

async function main() {
  const g = keyOf(genesisKey);
  const dest = keyOf(hex(nacl.randomBytes(32)));
  if (!nano.checkAddress(toNano(g.account))) throw new Error("address check failed");
  const info = await rpc({ action: "account_info", account: g.account, representative: true });
  if (info.error) throw new Error("account_info: " + info.error);
  // the node's thresholds: telemetry's active_difficulty is the send one;
  // meeting it is enough for every subtype
  const threshold = (await rpc({ action: "telemetry" })).active_difficulty;
  const amount = nano.convert("1", { from: nano.Unit.Nano, to: nano.Unit.raw }); // 10^30 raw = 1 smn
  const balance = (BigInt(info.balance) - BigInt(amount)).toString();

  const send = await stateBlock(g, info.frontier, info.representative, balance,
                                dest.pub, info.frontier, threshold);
  let r = await rpc({ action: "process", json_block: true, subtype: "send", block: send.block });
  if (r.hash !== send.hash) throw new Error("process (send): " + JSON.stringify(r));
  await waitConfirmed(send.hash);

  const zero = "0".repeat(64);
  const open = await stateBlock(dest, zero, g.account, amount, send.hash, dest.pub, threshold);
  r = await rpc({ action: "process", json_block: true, subtype: "open", block: open.block });
  if (r.hash !== open.hash) throw new Error("process (open): " + JSON.stringify(r));
  const back = await waitConfirmed(open.hash);
  if (back.contents.signature !== open.block.signature || back.balance !== amount)
    throw new Error("read back: " + JSON.stringify(back));
  const bal = await rpc({ action: "account_balance", account: dest.account });
  if (bal.balance !== amount) throw new Error("balance: " + JSON.stringify(bal));
  console.log(JSON.stringify({ send: send.hash, open: open.hash, account: dest.account }));
}

main().catch((e) => { console.error("FAIL: " + e.message); process.exit(1); });
