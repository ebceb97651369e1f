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
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];

/** Chromium with a fresh profile (playwright-core makes a new temporary
 *  user-data-dir for each launch and removes it after). */
export async function launch() {
  return chromium.launch({ executablePath: '/usr/bin/chromium', args: ARGS });
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
  return page;
}

/** Wait until the application finished rendering the current page. */
export async function ready(page) {
  await page.waitForFunction(() => document.body.dataset.ready === 'true' && !document.querySelector('#contenu .loading'));
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

/** No horizontal scroll, and touch targets of at least 44 px. */
export async function checkNarrow(page, name) {
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
