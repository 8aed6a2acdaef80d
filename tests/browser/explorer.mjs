// Drives the built-in explorer in headless Chromium (Debian's chromium via
// npm's playwright-core), as a user would: open the network page, search an
// account, follow one of its blocks, and watch a new confirmation appear on
// the account page without reloading. Started by
// tests/integration/test_explorer.py, which owns the node.
//
// usage: node explorer.mjs BASE_URL WALLET SOURCE ACCOUNT PROGRAM FIRST CHUNK [SCREENSHOT_DIR]
// (PROGRAM: a deployed NanoVM program's id; FIRST, CHUNK: its deploy
// message's first send and a later chunk's send)
// (WALLET/SOURCE: a wallet and account that can send to ACCOUNT over RPC)
import { chromium } from 'playwright-core';

const [base, wallet, source, account, program, firstSend, chunkSend, shots] = process.argv.slice(2);
if (!chunkSend) {
  console.error('usage: node explorer.mjs BASE_URL WALLET SOURCE ACCOUNT PROGRAM FIRST CHUNK [SCREENSHOT_DIR]');
  process.exit(2);
}
const SMN = 10n ** 30n;
const T = 15000;

async function rpc(action, params = {}) {
  const r = await fetch(base + '/', { method: 'POST', body: JSON.stringify({ action, ...params }) });
  const j = await r.json();
  if (j.error) throw new Error(action + ': ' + j.error);
  return j;
}

function check(cond, msg) {
  if (!cond) throw new Error('check failed: ' + msg);
  console.log('ok ' + msg);
}

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  headless: true,
  args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'],
});
let failed = false;
try {
  const ctx = await browser.newContext({ viewport: { width: 1100, height: 900 } });
  const page = await ctx.newPage();
  const problems = [];
  page.on('console', (m) => { if (m.type() === 'error') problems.push(m.text()); });
  page.on('pageerror', (e) => problems.push(String(e)));

  // The network at a glance, live.
  await page.goto(base + '/explorer/');
  await page.waitForFunction(() => /^[0-9,]+$/.test(document.getElementById('n-cemented')?.textContent || ''), null, { timeout: T });
  const blocks = await page.textContent('#n-count');
  check(Number(blocks.replace(/,/g, '')) >= 3, 'network page shows the block count (' + blocks + ')');
  await page.waitForFunction(() => /^[0-9.]+$/.test(document.getElementById('n-cps')?.textContent || ''), null, { timeout: T });
  check(true, 'network page computes confirmations per second: ' + await page.textContent('#n-cps'));
  const reps = await page.textContent('#n-reps');
  check(Number(reps) >= 1, 'network page counts representatives (' + reps + ')');
  if (shots) await page.screenshot({ path: shots + '/network.png', fullPage: true });

  // Search an account.
  await page.fill('#q', account);
  await page.press('#q', 'Enter');
  await page.waitForURL('**/explorer/account/' + account, { timeout: T });
  await page.waitForSelector('table.list tbody tr', { timeout: T });
  const body = await page.textContent('main');
  check(body.includes(account), 'account page names the account');
  const bal = BigInt((await rpc('account_balance', { account })).balance);
  const shown = (bal / SMN).toString();
  check(body.includes('Balance') && body.includes(shown), 'account page shows the balance (' + shown + ' smn)');
  const rowsBefore = await page.locator('table.list tbody tr').count();
  if (shots) await page.screenshot({ path: shots + '/account.png', fullPage: true });

  // Follow its newest block.
  await page.locator('table.list tbody tr').first().locator('a').first().click();
  await page.waitForURL('**/explorer/block/**', { timeout: T });
  await page.waitForSelector('table.kv', { timeout: T });
  const hash = page.url().split('/').pop();
  const info = await rpc('block_info', { hash, json_block: 'true' });
  const blockText = await page.textContent('main');
  check(blockText.includes(info.subtype) && blockText.includes(info.contents.signature),
    'block page shows subtype and every field (' + info.subtype + ')');
  check(blockText.includes('confirmed'), 'block page shows its confirmation');
  if (shots) await page.screenshot({ path: shots + '/block.png', fullPage: true });
  // Its account link leads back.
  await page.locator('table.kv a', { hasText: account }).first().click();
  await page.waitForURL('**/explorer/account/' + account, { timeout: T });
  await page.waitForSelector('table.list tbody tr', { timeout: T });

  // A live confirmation appears without a reload, driven by the feed.
  await page.waitForFunction(() => (document.getElementById('live')?.textContent || '').startsWith('live (feed)'),
    null, { timeout: T });
  check(true, 'the account page follows the WebSocket feed');
  await page.evaluate(() => { window.__notReloaded = true; });
  const feedEvents = () => page.evaluate(() => Number(document.getElementById('live').dataset.feedEvents || 0));
  const eventsBefore = await feedEvents();
  const sent = await rpc('send', { wallet, source, destination: account, amount: (3n * SMN).toString() });
  await page.waitForFunction((n) => document.querySelectorAll('table.list tbody tr').length > n,
    rowsBefore, { timeout: T });
  await page.waitForFunction(() => document.querySelector('table.list tbody tr')?.textContent.includes('confirmed')
    && !document.querySelector('table.list tbody tr')?.textContent.includes('unconfirmed'), null, { timeout: T });
  check(await page.evaluate(() => window.__notReloaded === true), 'the page was not reloaded');
  const eventsAfter = await feedEvents();
  check(eventsAfter > eventsBefore, 'the feed announced the new blocks (' + (eventsAfter - eventsBefore) + ' messages)');
  check((await page.textContent('main')).length > 0, 'new block ' + sent.block + ' appeared live, confirmed');

  // A later chunk's send names the message it belongs to.
  await page.goto(base + '/explorer/block/' + chunkSend);
  await page.waitForSelector('#chunk-of a', { timeout: T });
  check((await page.textContent('#chunk-of a')) === firstSend, 'a chunk block links to its message ' + firstSend);
  check((await page.textContent('main')).includes('complete'), 'the chunk block shows the message status');

  // Follow a block to a program: the deploy's last block names it.
  await page.goto(base + '/explorer/block/' + program);
  await page.waitForSelector('#deployed a', { timeout: T });
  await page.click('#deployed a');
  await page.waitForURL('**/explorer/program/' + program, { timeout: T });
  await page.waitForFunction(() => document.querySelector('main')?.textContent.includes('Storage')
    && document.querySelector('main')?.textContent.includes('bytecode'), null, { timeout: T });
  const progText = await page.textContent('main');
  check(!progText.includes('FRAUD') && progText.includes('Events'), 'program page: info, storage, events, no fraud');
  if (shots) await page.screenshot({ path: shots + '/program.png', fullPage: true });
  // The deployer's account page lists the program it hosts.
  await page.goto(base + '/explorer/account/' + source);
  await page.waitForFunction((p) => document.querySelector('main')?.textContent.includes('Programs hosted')
    && document.querySelector('main')?.textContent.includes(p), program, { timeout: T });
  check(true, 'the host account lists its program');
  // Search by program id, and the programs list.
  await page.goto(base + '/explorer/programs');
  await page.waitForSelector('table.list tbody tr', { timeout: T });
  check((await page.textContent('main')).includes(program), 'programs page lists the program');
  await page.fill('#q', program.toLowerCase());
  await page.press('#q', 'Enter');
  await page.waitForURL('**/explorer/**' + program.slice(0, 8) + '**', { timeout: T });
  check(true, 'search by id reaches ' + page.url().replace(base, ''));

  // Representatives, and a phone-sized screen.
  await page.goto(base + '/explorer/representatives');
  await page.waitForSelector('table.list tbody tr', { timeout: T });
  check((await page.textContent('main')).includes('smn_'), 'representatives page lists representatives');
  if (shots) await page.screenshot({ path: shots + '/representatives.png', fullPage: true });
  const phone = await browser.newContext({ viewport: { width: 360, height: 740 }, isMobile: true });
  const p2 = await phone.newPage();
  await p2.goto(base + '/explorer/account/' + account);
  await p2.waitForSelector('table.list tbody tr', { timeout: T });
  const overflow = await p2.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  check(overflow <= 1, 'account page fits a 360 px screen (overflow ' + overflow + ' px)');
  if (shots) await p2.screenshot({ path: shots + '/account-phone.png', fullPage: true });

  // Unknown pages and bad input get a clear message.
  await page.goto(base + '/explorer/block/XYZ');
  await page.waitForSelector('.error', { timeout: T });
  check((await page.textContent('.error')).includes('Not a block hash'), 'a bad hash gets a clear error');
  check(problems.length === 0, 'no script errors or CSP violations: ' + JSON.stringify(problems));
} catch (e) {
  failed = true;
  console.error(String(e && e.stack || e));
} finally {
  await browser.close();
}
process.exit(failed ? 1 : 0);
