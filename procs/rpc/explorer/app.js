// smallnano explorer. Reads the node only through its public JSON RPC (POST
// on this origin) and its live feed (the WebSocket, when the node serves
// one: /explorer/feed.json says where). Standard library only. Every value from the node is put
// into the page as text (textContent), never as HTML.
'use strict';

const RAW_PER_SMN = 10n ** 30n;
const POLL_MS = 1000;
const PAGE = 25;

// ------------------------------------------------------------------ RPC

class RpcError extends Error {}

async function rpc(action, params = {}) {
  const r = await fetch('/', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(Object.assign({ action }, params)),
  });
  let j;
  try {
    j = await r.json();
  } catch (e) {
    throw new RpcError(action + ': HTTP ' + r.status);
  }
  if (j.error) throw new RpcError(j.error);
  return j;
}

// An action this node may not serve: null instead of an error.
async function rpcMaybe(action, params) {
  try {
    return await rpc(action, params);
  } catch (e) {
    if (e instanceof RpcError) return null;
    throw e;
  }
}

// ------------------------------------------------------------------ DOM

function h(tag, attrs, ...kids) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k === 'class') e.className = v;
    else if (k === 'onclick') e.addEventListener('click', v);
    else e.setAttribute(k, v === true ? '' : String(v));
  }
  for (const k of kids.flat()) {
    if (k === undefined || k === null || k === false) continue;
    e.append(k instanceof Node ? k : document.createTextNode(String(k)));
  }
  return e;
}

const main = () => document.getElementById('main');
let pageToken = 0; // bumps on navigation: stale async renders and polls stop

function show(...nodes) {
  const m = main();
  m.replaceChildren(...nodes.flat().filter((x) => x !== null && x !== undefined && x !== false && x !== ''));
}

function errorBox(msg) {
  return h('p', { class: 'error', role: 'alert' }, msg);
}

function link(path, text, cls) {
  return h('a', { href: '/explorer/' + path, class: cls || 'mono' }, text);
}

const accountLink = (a) => link('account/' + a, a);
const blockLink = (x) => link('block/' + x, x);
const programLink = (x) => link('program/' + x, x);

function kv(rows) {
  return h('table', { class: 'kv' },
    rows.filter(Boolean).map(([k, v]) => h('tr', {}, h('th', {}, k), h('td', {}, v))));
}

function list(cols, rows) {
  return h('table', { class: 'list' },
    h('thead', {}, h('tr', {}, cols.map((c) => h('th', {}, c)))),
    h('tbody', {}, rows.map((r) => h('tr', {}, r.map((v, i) => h('td', { 'data-k': cols[i] }, v))))));
}

function card(k, v, id) {
  return h('div', { class: 'card' }, h('div', { class: 'k' }, k), h('div', { class: 'v', id }, v));
}

// ------------------------------------------------------------------ values

// raw (decimal string) -> "1.5 smn", exact (BigInt, no floating point).
function smn(raw) {
  if (raw === undefined || raw === null || raw === '') return '';
  let v;
  try {
    v = BigInt(raw);
  } catch (e) {
    return String(raw);
  }
  const neg = v < 0n;
  if (neg) v = -v;
  const whole = v / RAW_PER_SMN;
  let frac = (v % RAW_PER_SMN).toString().padStart(30, '0').replace(/0+$/, '');
  return (neg ? '-' : '') + whole.toLocaleString('en-US') + (frac ? '.' + frac : '') + ' smn';
}

const yes = (s) => s === true || s === 'true';

function confirmedPill(c) {
  return yes(c) ? h('span', { class: 'pill ok' }, 'confirmed')
                : h('span', { class: 'pill warn' }, 'unconfirmed');
}

const isAddress = (s) => /^smn_[13][13456789abcdefghijkmnopqrstuwxyz]{59}$/.test(s);
const isHash = (s) => /^[0-9A-Fa-f]{64}$/.test(s);
const ZERO = '0'.repeat(64);

// ------------------------------------------------------------------ live feed

// The feed tells a page *that* something changed; the page then re-reads
// what it shows through the RPC (at most once per FEED_REFRESH_MS, and every
// FEED_IDLE_MS anyway for what the feed does not carry: peers, weights).
// Without a feed, or when it drops, the page polls every POLL_MS.
const FEED_REFRESH_MS = 250;
const FEED_IDLE_MS = 10000;
let feedPort; // undefined: not asked yet; null: no feed
let pageFeed = null; // the open WebSocket of the current page

async function getFeedPort() {
  if (feedPort !== undefined) return feedPort;
  try {
    const j = await (await fetch('/explorer/feed.json')).json();
    feedPort = j.websocket && j.websocket.port ? Number(j.websocket.port) : null;
  } catch (e) {
    feedPort = null;
  }
  return feedPort;
}

// Opens the feed with Nano's subscribe messages; resolves to the socket
// once subscribed, or null when there is no feed to open.
async function openFeed(tok, subs, onMessage) {
  const port = await getFeedPort();
  if (!port || tok !== pageToken) return null;
  const host = location.hostname.includes(':') ? '[' + location.hostname + ']' : location.hostname;
  const scheme = location.protocol === 'https:' ? 'wss://' : 'ws://';
  return new Promise((resolve) => {
    let ws;
    try {
      ws = new WebSocket(scheme + host + ':' + port);
    } catch (e) {
      resolve(null);
      return;
    }
    let opened = false;
    ws.onopen = () => {
      opened = true;
      for (const sub of subs) ws.send(JSON.stringify(Object.assign({ action: 'subscribe' }, sub)));
      resolve(ws);
    };
    ws.onerror = () => { if (!opened) resolve(null); };
    ws.onclose = () => { if (!opened) resolve(null); };
    ws.onmessage = (ev) => {
      let j;
      try { j = JSON.parse(ev.data); } catch (e) { return; }
      if (j && j.topic && j.message) onMessage(j.topic, j.message);
    };
  });
}

// Keeps the current page live: refresh() (async; returns true to stop)
// runs when a feed message passes wants(topic, message), or by polling
// without a feed. The status line says which.
async function keepLive(tok, subs, wants, refresh) {
  let dirty = false;
  // the status line counts the feed messages this page acted on
  // (data-feed-events), so one can see the feed, not a timer, drove it
  const counted = () => {
    const e = document.getElementById('live');
    if (e) e.dataset.feedEvents = String(Number(e.dataset.feedEvents || 0) + 1);
  };
  const ws = await openFeed(tok, subs, (topic, m) => {
    if (!wants(topic, m)) return;
    dirty = true;
    counted();
  });
  if (tok !== pageToken) { if (ws) ws.close(); return; }
  if (ws) pageFeed = ws;
  live(ws ? 'live (feed)' : 'live (polling)');
  let last = Date.now();
  try {
    while (tok === pageToken) {
      const feed = ws && ws.readyState === WebSocket.OPEN;
      await sleep(feed ? FEED_REFRESH_MS : POLL_MS);
      if (tok !== pageToken) return;
      const now = Date.now();
      if (feed && !dirty && now - last < FEED_IDLE_MS) continue;
      dirty = false;
      last = now;
      let stop = false;
      try {
        stop = await refresh();
        if (tok === pageToken)
          live((feed ? 'live (feed)' : 'live (polling)') + ' · updated ' + new Date().toLocaleTimeString());
      } catch (e) {
        if (tok === pageToken) live('cannot reach the node: ' + e.message);
      }
      if (stop) return;
    }
  } finally {
    if (ws) ws.close();
    if (pageFeed === ws) pageFeed = null;
  }
}

// ------------------------------------------------------------------ pages

async function pageNetwork(tok) {
  const rate = h('span', {}, '…');
  show(h('h1', {}, 'Network'),
    h('div', { class: 'cards' },
      card('Blocks', '…', 'n-count'), card('Cemented', '…', 'n-cemented'),
      card('Unchecked', '…', 'n-unchecked'), card('Peers', '…', 'n-peers'),
      card('Representatives', '…', 'n-reps'), card('Online weight', '…', 'n-online'),
      card('Confirmations/s', rate, 'n-cps')),
    h('h2', {}, 'Node'), h('div', { id: 'n-node' }, h('p', { class: 'muted' }, '…')));
  const samples = []; // [time ms, cemented] over the last 10 s
  const set = (id, v) => { const e = document.getElementById(id); if (e) e.textContent = v; };
  let first = true;
  const refresh = async () => {
    const [bc, tel, reps, quorum] = await Promise.all([
      rpc('block_count'), rpcMaybe('telemetry'), rpcMaybe('representatives'),
      rpcMaybe('confirmation_quorum')]);
    if (tok !== pageToken) return true;
    set('n-count', Number(bc.count).toLocaleString('en-US'));
    set('n-cemented', Number(bc.cemented).toLocaleString('en-US'));
    set('n-unchecked', Number(bc.unchecked).toLocaleString('en-US'));
    const peers = tel && (tel.peer_count !== undefined ? tel.peer_count : null);
    const peersFallback = peers === null ? await rpcMaybe('peers') : null;
    set('n-peers', peers !== null ? peers
      : peersFallback && peersFallback.peers ? Object.keys(peersFallback.peers).length : 'n/a');
    set('n-reps', reps ? Object.keys(reps.representatives || {}).length : 'n/a');
    set('n-online', quorum ? smn(quorum.online_stake_total) : 'n/a');
    const now = Date.now();
    samples.push([now, BigInt(bc.cemented)]);
    while (samples.length > 2 && now - samples[0][0] > 10000) samples.shift();
    if (samples.length >= 2) {
      const [t0, c0] = samples[0];
      const dt = (now - t0) / 1000;
      set('n-cps', dt > 0 ? (Number(BigInt(bc.cemented) - c0) / dt).toFixed(1) : '…');
    }
    if (first && tel) {
      first = false;
      const box = document.getElementById('n-node');
      if (box) box.replaceChildren(kv([
        ['Network', tel.network], ['Genesis', blockLink(tel.genesis_block)],
        ['Version', [tel.major_version, tel.minor_version, tel.patch_version].join('.')],
        ['Maker', tel.maker], ['Uptime (s)', tel.uptime],
      ]));
    }
    return false;
  };
  try {
    await refresh();
    live('live · updated ' + new Date().toLocaleTimeString());
  } catch (e) {
    live('cannot reach the node: ' + e.message);
  }
  // Any new or confirmed block changes the counts.
  await keepLive(tok, [{ topic: 'confirmation', options: { include_block: 'false' } },
    { topic: 'new_unconfirmed_block' }], () => true, refresh);
}

async function pageAccount(tok, account, head) {
  if (!isAddress(account)) return show(h('h1', {}, 'Account'), errorBox('Not an smn address: ' + account));
  const info = await rpcMaybe('account_info',
    { account, representative: 'true', receivable: 'true', weight: 'true', include_confirmed: 'true' });
  if (tok !== pageToken) return;
  const historyBox = h('div', {}, h('p', { class: 'muted' }, 'Loading history…'));
  const recvBox = h('div', {});
  const vmBox = h('div', {});
  show(h('h1', {}, 'Account ', h('span', { class: 'mono' }, account)),
    info ? kv([
      ['Balance', smn(info.balance)],
      info.confirmed_balance !== undefined && ['Confirmed balance', smn(info.confirmed_balance)],
      ['Representative', info.representative ? accountLink(info.representative) : ''],
      ['Weight', smn(info.weight)],
      ['Receivable', smn(info.receivable)],
      ['Blocks', info.block_count],
      ['Confirmed height', info.confirmation_height],
      ['Frontier', blockLink(info.frontier)],
      ['Open block', blockLink(info.open_block)],
    ]) : h('p', { class: 'muted' }, 'This account has no blocks yet (unopened).'),
    h('h2', {}, 'Chain'), historyBox,
    h('h2', {}, 'Receivable'), recvBox,
    h('h2', {}, 'NanoVM'), vmBox);
  const renderHistory = async () => {
    if (!info && !head) { historyBox.replaceChildren(h('p', { class: 'muted' }, 'No blocks.')); return null; }
    const p = { account, count: String(PAGE) };
    if (head) p.head = head;
    const hist = await rpc('account_history', p);
    if (tok !== pageToken) return null;
    const rows = (hist.history || []).map((b) => [
      blockLink(b.hash), b.type, b.account ? accountLink(b.account) : '', smn(b.amount),
      b.height, confirmedPill(b.confirmed)]);
    const pager = h('div', { class: 'pager' },
      head ? link('account/' + account, 'newest', 'pager-link') : null,
      hist.previous ? link('account/' + account + '/' + hist.previous, 'older →', 'pager-link') : null);
    historyBox.replaceChildren(rows.length ? list(['Block', 'Type', 'Counterparty', 'Amount', 'Height', 'State'], rows)
      : h('p', { class: 'muted' }, 'No blocks.'), pager);
    return hist;
  };
  const renderReceivable = async () => {
    const r = await rpcMaybe('receivable', { account, count: String(PAGE), source: 'true' });
    if (tok !== pageToken || !r) return;
    const rows = Object.entries(r.blocks || {}).map(([hash, v]) => [
      blockLink(hash), typeof v === 'object' ? smn(v.amount) : smn(v),
      typeof v === 'object' && v.source ? accountLink(v.source) : '']);
    recvBox.replaceChildren(rows.length ? list(['Send block', 'Amount', 'From'], rows)
      : h('p', { class: 'muted' }, 'Nothing receivable.'));
  };
  const renderVm = async () => {
    const [b, progs] = await Promise.all([rpcMaybe('vm_balances', { account }),
      rpcMaybe('vm_programs', { count: '100' })]);
    if (tok !== pageToken) return;
    // Programs this account hosts (deployed), from the program list.
    const mine = ((progs && progs.programs) || []).filter((p) => p.host === account);
    const hosted = mine.length ? [h('h2', {}, 'Programs hosted'),
      list(['Program', 'Kind', 'Commits'], mine.map((p) => [programLink(p.program), p.kind || '',
        p.fraud ? h('span', { class: 'bad' }, 'FRAUD') : h('span', { class: 'ok' }, 'verified')]))] : [];
    if (!b) { vmBox.replaceChildren(h('p', { class: 'muted' }, 'No NanoVM data for this account.'), ...hosted); return; }
    const rows = (b.balances || []).map((x) => [x.program ? programLink(x.program) : '',
      x.symbol || x.asset || '', x.amount !== undefined ? String(x.amount) : '']);
    vmBox.replaceChildren(rows.length ? list(['Program', 'Asset', 'Balance'], rows)
      : h('p', { class: 'muted' }, 'No token or vSMN balances.'), ...hosted);
  };
  try {
    await Promise.all([renderHistory(), renderReceivable(), renderVm()]);
  } catch (e) {
    historyBox.replaceChildren(errorBox(e.message));
  }
  // Live: a new block or a confirmation on this chain redraws it.
  let last = info ? info.frontier + '/' + info.confirmation_height : '';
  // confirmations come filtered by the node; new blocks are the block itself
  const mine = (topic, m) => topic === 'confirmation' || m.account === account
    || m.link_as_account === account;
  await keepLive(tok, [{ topic: 'confirmation', options: { accounts: [account], include_block: 'false' } },
    { topic: 'new_unconfirmed_block' }], mine, async () => {
    const now = await rpcMaybe('account_info', { account });
    if (tok !== pageToken) return true;
    const key = now ? now.frontier + '/' + now.confirmation_height : '';
    if (key !== last) {
      last = key;
      if (!info) { route(); return true; } // opened meanwhile: the whole page changes
      await Promise.all([renderHistory(), renderReceivable()]);
    }
    return false;
  });
}

async function pageBlock(tok, hash) {
  if (!isHash(hash)) return show(h('h1', {}, 'Block'), errorBox('Not a block hash: ' + hash));
  let b;
  try {
    b = await rpc('block_info', { hash, json_block: 'true' });
  } catch (e) {
    return show(h('h1', {}, 'Block ', h('span', { class: 'mono' }, hash)), errorBox(e.message));
  }
  if (tok !== pageToken) return;
  const c = b.contents || {};
  const sub = b.subtype || c.type;
  const linkCell = sub === 'send' ? accountLink(c.link_as_account)
    : (sub === 'receive' || sub === 'open') && c.link !== ZERO ? blockLink(c.link)
    : h('span', { class: 'mono' }, c.link);
  const vmBox = h('div', {});
  const state = h('span', {}, confirmedPill(b.confirmed));
  show(h('h1', {}, 'Block ', h('span', { class: 'mono' }, hash)),
    kv([
      ['Subtype', sub], ['Confirmation', state],
      ['Account', accountLink(b.block_account)], ['Amount', smn(b.amount)],
      sub === 'send' && ['Destination', accountLink(c.link_as_account)],
      (sub === 'receive' || sub === 'open') && ['Source block', linkCell],
      ['Balance', smn(b.balance)], ['Height', b.height],
      b.local_timestamp && ['Seen', new Date(Number(b.local_timestamp) * 1000).toISOString()],
      ['Previous', c.previous && c.previous !== ZERO ? blockLink(c.previous) : 'none (first block)'],
      ['Successor', b.successor && b.successor !== ZERO ? blockLink(b.successor) : 'none (frontier)'],
      ['Representative', c.representative ? accountLink(c.representative) : ''],
      ['Link', linkCell], ['Signature', h('span', { class: 'mono' }, c.signature)],
      ['Work', h('span', { class: 'mono' }, c.work)], ['Type', c.type],
    ]),
    h('h2', {}, 'NanoVM message'), vmBox);
  // The message this block carries: a send is one of its chunks (the first
  // names the message); a receive takes in the chunk its source block sent.
  const carrier = sub === 'send' ? hash
    : (sub === 'receive' || sub === 'open') && c.link && c.link !== ZERO ? c.link : null;
  const m = carrier ? await rpcMaybe('vm_message_status', { message: carrier }) : null;
  if (tok !== pageToken) return;
  const known = m && m.status !== 'unknown';
  // A program's id is the block that completed its deploy message.
  const prog = await rpcMaybe('vm_program_info', { program: hash });
  if (tok !== pageToken) return;
  vmBox.replaceChildren(
    prog ? h('p', { id: 'deployed' }, 'This block deployed program ', programLink(hash), ' (' + prog.kind + ')') : '',
    known && m.message !== hash ? h('p', { id: 'chunk-of' },
      sub === 'send' ? 'This block sends a chunk of message ' : 'This block receives a chunk of message ',
      blockLink(m.message), ' (named by its first send).') : '',
    known ? renderJson(m)
      : h('p', { class: 'muted' }, 'This block carries no NanoVM message the node has indexed.'));
  // Live: an unconfirmed block turns confirmed in place.
  if (yes(b.confirmed)) return;
  await keepLive(tok, [{ topic: 'confirmation', options: { accounts: [b.block_account], include_block: 'false' } }],
    (topic, msg) => msg.hash === hash, async () => {
      const now = await rpcMaybe('block_info', { hash });
      if (tok !== pageToken) return true;
      if (now && yes(now.confirmed)) { b = now; state.replaceChildren(confirmedPill('true')); return true; }
      return false;
    });
}

async function pageRepresentatives(tok) {
  show(h('h1', {}, 'Representatives'), h('p', { class: 'muted' }, 'Loading…'));
  const [reps, online] = await Promise.all([
    rpc('representatives'), rpcMaybe('representatives_online', { weight: 'true' })]);
  if (tok !== pageToken) return;
  const on = online && online.representatives;
  const isOn = (a) => !on ? null : Array.isArray(on) ? on.includes(a) : Object.prototype.hasOwnProperty.call(on, a);
  const rows = Object.entries(reps.representatives || {})
    .sort((x, y) => (BigInt(y[1]) > BigInt(x[1]) ? 1 : BigInt(y[1]) < BigInt(x[1]) ? -1 : 0))
    .map(([a, w]) => {
      const o = isOn(a);
      return [accountLink(a), smn(w), o === null ? h('span', { class: 'muted' }, 'unknown')
        : o ? h('span', { class: 'pill ok' }, 'online') : h('span', { class: 'pill muted' }, 'offline')];
    });
  show(h('h1', {}, 'Representatives'),
    rows.length ? list(['Representative', 'Weight', 'State'], rows) : h('p', { class: 'muted' }, 'None.'),
    !on ? h('p', { class: 'muted' }, 'Online state: this node does not report it (representatives_online).') : null);
}

async function pagePrograms(tok) {
  show(h('h1', {}, 'Programs'), h('p', { class: 'muted' }, 'Loading…'));
  let r;
  try {
    r = await rpc('vm_programs', { count: '100' });
  } catch (e) {
    return show(h('h1', {}, 'Programs'), errorBox('vm_programs: ' + e.message));
  }
  if (tok !== pageToken) return;
  const rows = (r.programs || []).map((p) => [programLink(p.program), p.kind || '',
    p.host ? accountLink(p.host) : 'native',
    p.fraud ? h('span', { class: 'bad' }, 'FRAUD') : h('span', { class: 'ok' }, 'verified')]);
  show(h('h1', {}, 'Programs'), rows.length ? list(['Program', 'Kind', 'Host account', 'Commits'], rows)
    : h('p', { class: 'muted' }, 'No programs deployed.'));
}

async function pageProgram(tok, id) {
  let info;
  try {
    info = await rpc('vm_program_info', { program: id });
  } catch (e) {
    return show(h('h1', {}, 'Program ', h('span', { class: 'mono' }, id)), errorBox(e.message));
  }
  if (tok !== pageToken) return;
  const fm = info.first_mismatch;
  show(h('h1', {}, 'Program ', h('span', { class: 'mono' }, id)),
    info.fraud ? h('p', { class: 'fraud', role: 'alert' },
      'FRAUD: a commit published another state root than the one recomputed here',
      fm ? [' (first at block ', blockLink(fm.block), ', height ', String(fm.height), ')'] : '') : null,
    renderJson(info),
    h('h2', {}, 'Storage'), await section(tok, 'vm_storage', { program: id, count: String(PAGE) }),
    h('h2', {}, 'Boxes'), await section(tok, 'vm_boxes', { program: id, count: String(PAGE) }),
    h('h2', {}, 'Balances'), await section(tok, 'vm_balances', { program: id }),
    h('h2', {}, 'Events'), await section(tok, 'vm_events', { program: id, count: String(PAGE) }));
}

async function section(tok, action, params) {
  try {
    return renderJson(await rpc(action, params));
  } catch (e) {
    return errorBox(action + ': ' + e.message);
  }
}

// Any JSON answer as nested tables, addresses and hashes linked.
function renderJson(v) {
  if (v === null || v === undefined) return '';
  if (Array.isArray(v)) {
    if (!v.length) return h('span', { class: 'muted' }, 'none');
    return h('ol', {}, v.map((x) => h('li', {}, renderJson(x))));
  }
  if (typeof v === 'object') {
    return kv(Object.entries(v).map(([k, x]) => [k, renderJson(x)]));
  }
  const s = String(v);
  if (isAddress(s)) return accountLink(s);
  if (isHash(s)) return h('span', { class: 'mono' }, s);
  return s;
}

async function search(q) {
  q = q.trim();
  if (isAddress(q)) return navigate('account/' + q);
  if (isHash(q)) {
    const b = await rpcMaybe('block_info', { hash: q.toUpperCase() });
    if (b) return navigate('block/' + q.toUpperCase());
    const p = await rpcMaybe('vm_program_info', { program: q });
    if (p) return navigate('program/' + q);
    return show(h('h1', {}, 'Search'), errorBox('No block or program ' + q + ' on this node.'));
  }
  const p = q && (await rpcMaybe('vm_program_info', { program: q }));
  if (p) return navigate('program/' + q);
  show(h('h1', {}, 'Search'), errorBox('Give an smn_ address, a 64-hex block hash or a program id.'));
}

// ------------------------------------------------------------------ routing

function sleep(ms) {
  return new Promise((r) => setTimeout(r, ms));
}

function live(text) {
  const e = document.getElementById('live');
  if (e) e.textContent = text;
}

function navigate(path) {
  history.pushState(null, '', '/explorer/' + path);
  route();
}

async function route() {
  const tok = ++pageToken;
  if (pageFeed) { pageFeed.close(); pageFeed = null; }
  const parts = location.pathname.replace(/^\/explorer\/?/, '').split('/').filter(Boolean);
  const [page, arg, arg2] = parts;
  try {
    if (!page) await pageNetwork(tok);
    else if (page === 'account') await pageAccount(tok, arg || '', arg2);
    else if (page === 'block') await pageBlock(tok, arg || '');
    else if (page === 'representatives') await pageRepresentatives(tok);
    else if (page === 'programs') await pagePrograms(tok);
    else if (page === 'program') await pageProgram(tok, arg || '');
    else show(h('h1', {}, 'Not found'), errorBox('No page ' + location.pathname));
  } catch (e) {
    if (tok === pageToken) show(h('h1', {}, 'Error'), errorBox(e.message));
  }
}

document.addEventListener('click', (ev) => {
  const a = ev.target.closest && ev.target.closest('a');
  if (!a || a.origin !== location.origin || !a.pathname.startsWith('/explorer/')) return;
  if (ev.ctrlKey || ev.metaKey || ev.shiftKey || ev.button !== 0) return;
  ev.preventDefault();
  navigate(a.pathname.replace(/^\/explorer\//, ''));
});
window.addEventListener('popstate', route);
document.addEventListener('DOMContentLoaded', () => {
  document.getElementById('search').addEventListener('submit', (ev) => {
    ev.preventDefault();
    search(document.getElementById('q').value);
  });
  route();
});
