// lib.mjs — tools of the browser suite: Debian's Chromium driven by
// playwright-core (its own browser download cannot work here), tokens signed
// like the deployment's identity provider, axe-core on every page, screenshots,
// the 360 px check, touch targets and the weight of a first load.

import { createRequire } from 'node:module';
import { createHmac } from 'node:crypto';
import { readFileSync, mkdirSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import assert from 'node:assert/strict';

const here = dirname(fileURLToPath(import.meta.url));
// The npm packages live with the web application (web/package.json).
const require = createRequire(join(here, '..', '..', 'web', 'package.json'));
const { chromium } = require('playwright-core');
const AXE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

export const URL_BASE = process.env.EPART_URL;
export const SHOTS = process.env.EPART_SCREENSHOTS;
export const CREATED = JSON.parse(process.env.EPART_CREATED || '{}');
const SECRET = process.env.EPART_JWT_SECRET;

export const ORGS = {
  pass: '0b6f3c1e-3d0a-4c1e-9a51-1d2f6c7a8b01',
  ccas: '0b6f3c1e-3d0a-4c1e-9a51-1d2f6c7a8b02',
  fs: '0b6f3c1e-3d0a-4c1e-9a51-1d2f6c7a8b03',
};

const b64url = (s) => Buffer.from(s).toString('base64url');

/** An HS256 token as the identity provider of the deployment signs them. */
export function token(claims, ttl = 3600) {
  const now = Math.floor(Date.now() / 1000);
  const body = { iss: 'epart', aud: 'epart-api', iat: now, exp: now + ttl, ...claims };
  const signing = `${b64url(JSON.stringify({ alg: 'HS256', typ: 'JWT' }))}.${b64url(JSON.stringify(body))}`;
  return `${signing}.${createHmac('sha256', SECRET).update(signing).digest('base64url')}`;
}

export const instructorToken = (ttl) => token({ role: 'instructor', caisse: '171', sub: 'instructeur-navigateur' }, ttl);
export const partnerToken = (org = ORGS.pass) => token({ role: 'partner', org, sub: 'partenaire-navigateur' });
export const adminToken = () => token({ role: 'admin', sub: 'admin-navigateur' });

/** Call the API directly (what partner software does). */
export async function apiCall(method, path, tok, body, headers = {}) {
  const r = await fetch(URL_BASE + path, {
    method,
    headers: { Authorization: `Bearer ${tok}`, ...(body ? { 'Content-Type': 'application/json' } : {}), ...headers },
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await r.text();
  let json = null;
  try { json = JSON.parse(text); } catch { /* CSV or empty */ }
  return { status: r.status, json, text, headers: r.headers };
}

export async function waitFor(fn, timeout = 15000, interval = 100) {
  const end = Date.now() + timeout;
  let v;
  while (Date.now() < end) {
    v = await fn();
    if (v) return v;
    await new Promise((res) => setTimeout(res, interval));
  }
  return fn();
}

export const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync', '--lang=fr-FR'];

/** Chromium with a fresh profile (playwright-core makes a new temporary
 *  user-data-dir for each launch and removes it after), in French as our
 *  users run it: on Linux Chromium takes the language of its own interface
 *  (the order of a date field's day, month and year, its buttons' names) from
 *  LANGUAGE, not from --lang, and reads it from Debian's chromium-l10n; the
 *  context's locale (newPage) sets navigator.language and Intl. */
export async function launch() {
  return chromium.launch({ executablePath: '/usr/bin/chromium', args: ARGS, env: { ...process.env, LANGUAGE: 'fr' } });
}

/** A new page with a CSP-violation and error watch. */
export async function newPage(browser, { width = 1280, height = 900 } = {}) {
  const context = await browser.newContext({ viewport: { width, height }, locale: 'fr-FR', timezoneId: 'Europe/Paris', acceptDownloads: true });
  const page = await context.newPage();
  page.problems = [];
  page.on('console', (m) => {
    const t = m.text();
    if (process.env.EPART_BROWSER_DEBUG) console.log(`[console] ${t}`);
    if (/Content Security Policy|Refused to/.test(t)) page.problems.push(`CSP: ${t}`);
  });
  page.on('pageerror', (e) => page.problems.push(`page error: ${e.message}`));
  if (process.env.EPART_BROWSER_DEBUG) page.on('response', (r) => { if (r.url().includes('/v1/')) console.log(`[http] ${r.status()} ${r.request().method()} ${r.url()}`); });
  page.on('dialog', (d) => { page.problems.push(`dialog: ${d.message()}`); d.dismiss(); });
  const fr = await page.evaluate(() => ({
    language: navigator.language, intl: Intl.DateTimeFormat().resolvedOptions().locale,
    zone: Intl.DateTimeFormat().resolvedOptions().timeZone, number: (1234.5).toLocaleString(),
  }));
  assert.deepEqual(fr, { language: 'fr-FR', intl: 'fr-FR', zone: 'Europe/Paris', number: '1\u202f234,5' }, 'a French browser');
  return page;
}

/** Chromium's own accessibility tree of the page (what a screen reader gets,
 *  after CSS), without the ignored nodes. */
export async function axTree(page) {
  const cdp = await page.context().newCDPSession(page);
  try {
    const { nodes } = await cdp.send('Accessibility.getFullAXTree');
    return nodes.filter((n) => !n.ignored).map((n) => ({ role: n.role?.value, name: n.name?.value || '' }));
  } finally {
    await cdp.detach();
  }
}

/** Every table a person reads (not the charts, hidden from assistive
 *  technologies) keeps its roles for them whatever its layout: as many column
 *  headers, row headers and cells in Chromium's accessibility tree as in the
 *  HTML, a name (its caption) for each table. */
export async function checkTableRoles(page, name) {
  const html = await page.evaluate(() => {
    const tables = [...document.querySelectorAll('table')].filter((t) => !t.closest('[aria-hidden="true"]'));
    const count = (sel) => tables.reduce((n, t) => n + t.querySelectorAll(sel).length, 0);
    return { table: tables.length, columnheader: count('thead th'), rowheader: count('tbody th'), cell: count('tbody td'),
      captions: tables.map((t) => t.caption?.textContent || '') };
  });
  const tree = await axTree(page);
  const roles = (role) => tree.filter((n) => n.role === role);
  const got = { table: roles('table').length, columnheader: roles('columnheader').length,
    rowheader: roles('rowheader').length, cell: roles('cell').length };
  const { captions, ...want } = html;
  assert.deepEqual(got, want, `${name}: the roles of its tables in the accessibility tree`);
  assert.deepEqual(roles('table').map((t) => t.name), captions, `${name}: each table named by its caption`);
}

/** Wait until the application finished rendering the current page, which
 *  says it is in French. */
export async function ready(page) {
  await page.waitForFunction(() => document.body.dataset.ready === 'true' && !document.querySelector('#contenu .loading'));
  assert.equal(await page.evaluate(() => document.documentElement.lang), 'fr', `${page.url()}: <html lang="fr">`);
}

/** Navigate within the application and wait for its render. */
export async function goto(page, path) {
  await page.evaluate(() => { document.body.dataset.ready = 'false'; });
  await page.goto(URL_BASE + path);
  await ready(page);
}

/** Open the sign-in link /app/#token=… and wait for the first page. */
export async function signIn(page, tok, path = '/app/') {
  await page.goto(`${URL_BASE}${path}#token=${tok}`);
  await ready(page);
}

/** axe-core on the current page: zero serious or critical violations. Injected
 *  through the DevTools protocol, which the page's CSP does not govern. */
export async function axe(page, name) {
  await page.evaluate(AXE);
  const result = await page.evaluate(async () => {
    // eslint-disable-next-line no-undef
    const r = await axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'] } });
    return r.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.slice(0, 3).map((n) => n.target.join(' ')) }));
  });
  const bad = result.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  assert.deepEqual(bad, [], `axe-core on ${name}: ${JSON.stringify(bad, null, 1)}`);
  return result;
}

export async function shot(page, name) {
  mkdirSync(SHOTS, { recursive: true });
  await page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });
}

/** No horizontal scroll, touch targets of at least 44 px, and no word cut in
 *  two: a run of letters or digits (up to 24 of them: a longer one, such as an
 *  identifier, may break anywhere) laid out on more than one line means a box
 *  too narrow for it, as table columns squeezed to a few letters were. Text in
 *  boxes of a pixel or two (the visually hidden) is not laid out for reading. */
export async function checkNarrow(page, name) {
  const cut = await page.evaluate(() => {
    const hidden = new Map();
    const isHidden = (el) => {
      if (!el || el === document.body) return false;
      if (!hidden.has(el)) {
        const b = el.getBoundingClientRect();
        hidden.set(el, b.width <= 2 || b.height <= 2 || isHidden(el.parentElement));
      }
      return hidden.get(el);
    };
    const found = [];
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      if (isHidden(node.parentElement)) continue;
      for (const m of node.data.matchAll(/[\p{L}\p{N}]{2,24}/gu)) {
        const range = document.createRange();
        range.setStart(node, m.index);
        range.setEnd(node, m.index + m[0].length);
        const lines = new Set([...range.getClientRects()].filter((r) => r.width > 0).map((r) => Math.round(r.top)));
        if (lines.size > 1) found.push(`"${m[0]}" in <${node.parentElement.tagName.toLowerCase()}> on ${lines.size} lines`);
      }
    }
    return found;
  });
  assert.deepEqual(cut.slice(0, 20), [], `${name}: words cut in two`);
  const r = await page.evaluate(() => {
    const doc = document.documentElement;
    const small = [];
    const visible = (el) => { const b = el.getBoundingClientRect(); return b.width > 0 && b.height > 0 && getComputedStyle(el).visibility !== 'hidden'; };
    for (const el of document.querySelectorAll('button, select, input:not([type=checkbox]):not([type=radio]):not([type=hidden]), textarea, nav a, .tabs a, table a, .pager a, .actions a')) {
      if (!visible(el)) continue;
      const b = el.getBoundingClientRect();
      if (b.height < 43.5 || b.width < 43.5) small.push(`${el.tagName} "${(el.textContent || el.name || '').trim().slice(0, 30)}" ${Math.round(b.width)}x${Math.round(b.height)}`);
    }
    for (const el of document.querySelectorAll('input[type=checkbox], input[type=radio]')) {
      if (!visible(el)) continue;
      const target = el.closest('label') || el;
      const b = target.getBoundingClientRect();
      if (b.height < 43.5 || b.width < 43.5) small.push(`checkbox ${el.id} ${Math.round(b.width)}x${Math.round(b.height)}`);
    }
    return { scroll: doc.scrollWidth, width: doc.clientWidth, small };
  });
  assert.ok(r.scroll <= r.width, `${name}: horizontal scroll at ${r.width}px (content ${r.scroll}px)`);
  assert.deepEqual(r.small, [], `${name}: touch targets under 44 px`);
}

/** The bytes a first load of path transfers (compressed, as sent), in a fresh
 *  context without cache. */
export async function firstLoadBytes(browser, path, tok) {
  const page = await newPage(browser);
  const sizes = [];
  page.on('requestfinished', async (req) => {
    sizes.push(req.sizes().then((s) => s.responseBodySize + s.responseHeadersSize).catch(() => 0));
  });
  await page.goto(`${URL_BASE}${path}#token=${tok}`);
  await ready(page);
  await page.waitForLoadState('networkidle');
  const total = (await Promise.all(sizes)).reduce((a, b) => a + b, 0);
  await page.context().close();
  return total;
}

export function noProblems(page) {
  assert.deepEqual(page.problems, [], 'CSP violations or page errors');
}
