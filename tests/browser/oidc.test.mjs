// oidc.test.mjs — agents sign in through a real OpenID Connect provider
// (SPEC §13) in Chromium: "Se connecter", the provider's own sign-in page, the
// callback, epart's session and pages of the agent's role; "Se déconnecter"
// ending both sessions; an unknown agent told whom to ask; ID tokens signed by
// another key or expired refused without a session. Started by
// test_oidc_browser.py, which runs the provider (oidc-provider, npm) and the
// stack; PHASE=after-rotation signs in again once the provider's keys rotated.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createPrivateKey, generateKeyPairSync, sign } from 'node:crypto';
import { URL_BASE, launch, newPage, ready, axe, shot, noProblems } from './lib.mjs';

const ISSUER = process.env.EPART_OIDC_ISSUER;
const PROVIDER_KEY = JSON.parse(process.env.EPART_OIDC_PROVIDER_KEY || 'null'); // private JWK
const PHASE = process.env.PHASE || 'main';

async function openSignIn(page) {
  await page.goto(`${URL_BASE}/app/connexion`);
  await ready(page);
}

/** "Se connecter", then the provider's sign-in form; resolves when back in epart. */
async function providerSignIn(page, login, password) {
  await page.click('#signin-oidc');
  await page.waitForURL((u) => u.href.startsWith(`${ISSUER}/interaction/`));
  await page.fill('#login', login);
  await page.fill('#password', password);
  await page.click('button[type=submit]');
  await page.waitForURL((u) => u.href.startsWith(URL_BASE));
  await page.waitForFunction(() => document.body.dataset.ready === 'true' && !/Connexion en cours/.test(document.body.textContent));
}

async function storage(page) {
  return page.evaluate(() => Object.fromEntries(Object.keys(sessionStorage).map((k) => [k, sessionStorage.getItem(k)])));
}

function b64urlJson(part) {
  return JSON.parse(Buffer.from(part, 'base64url').toString());
}

/** Rewrite the id_token the provider's token endpoint returns. */
async function rewriteIdToken(page, fn) {
  await page.route(`${ISSUER}/token`, async (route) => {
    const response = await route.fetch();
    const json = await response.json();
    json.id_token = fn(json.id_token);
    await route.fulfill({ response, json });
  });
}

function resign(idToken, key, change = {}) {
  const [h, c] = idToken.split('.');
  const header = b64urlJson(h);
  const claims = { ...b64urlJson(c), ...change };
  const input = `${Buffer.from(JSON.stringify(header)).toString('base64url')}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}`;
  const sig = sign('sha256', Buffer.from(input), key);
  return `${input}.${sig.toString('base64url')}`;
}

// one Chromium for the file, a fresh context (cookies, storage) for each test
let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser.close(); });

if (PHASE === 'main') {
  test('an instructor signs in through the provider and works with the rights of the role', async () => {
    const page = await newPage(browser);
    try {
      await openSignIn(page);
      await axe(page, 'connexion (OpenID Connect)');
      await shot(page, 'oidc-connexion');
      await providerSignIn(page, 'instructeur@cpam-171.fr', 'demo-instructeur');
      assert.equal(new URL(page.url()).pathname, '/app/');
      await page.waitForSelector('h1');
      assert.equal((await page.textContent('h1')).trim(), 'Dossiers à instruire');
      // only epart's token is kept, and the code left the address bar and the history
      const kept = await storage(page);
      const jwts = Object.entries(kept).filter(([, v]) => /^[\w-]+\.[\w-]+\.[\w-]*$/.test(v || ''));
      assert.deepEqual(jwts.map(([k]) => k), ['epart.token']);
      assert.ok(!('epart.oidc.pending' in kept), 'the verifier, state and nonce are gone');
      const claims = b64urlJson(kept['epart.token'].split('.')[1]);
      assert.equal(claims.iss, 'epart');
      assert.equal(claims.role, 'instructor');
      assert.equal(claims.caisse, '171');
      assert.ok(claims.exp - claims.iat <= 3600);
      assert.ok(!/code=|state=/.test(page.url()));
      await axe(page, 'dossiers à instruire après connexion OpenID Connect');
      await shot(page, 'oidc-apres-connexion-instructeur');
      noProblems(page);

      // "Se déconnecter" ends epart's session and the provider's
      await page.click('#se-deconnecter');
      await page.waitForURL((u) => u.href.startsWith(`${ISSUER}/session/end`));
      await shot(page, 'oidc-fournisseur-deconnexion');
      await page.click('button[name=logout]');
      await page.waitForURL((u) => u.href.startsWith(`${URL_BASE}/app/`));
      await ready(page);
      assert.equal(await page.evaluate(() => sessionStorage.getItem('epart.token')), null);
      assert.equal(new URL(page.url()).pathname, '/app/connexion');
      // the provider asks for the password again: its session is over too
      await page.click('#signin-oidc');
      await page.waitForURL((u) => u.href.startsWith(`${ISSUER}/interaction/`));
      assert.ok(await page.isVisible('#password'));
    } finally {
      await page.context().close();
    }
  });

  test('a partner agent signs in to its organisation\'s space', async () => {
    const page = await newPage(browser);
    try {
      await openSignIn(page);
      await providerSignIn(page, 'agent@pass-larochelle.fr', 'demo-partenaire');
      assert.ok(new URL(page.url()).pathname.startsWith('/app/espace'), page.url()); // the partner's home
      const claims = b64urlJson((await storage(page))['epart.token'].split('.')[1]);
      assert.equal(claims.role, 'partner');
      assert.equal(claims.org, '0b6f3c1e-3d0a-4c1e-9a51-1d2f6c7a8b01');
      await axe(page, 'espace partenaire après connexion OpenID Connect');
      noProblems(page);
    } finally {
      await page.context().close();
    }
  });

  test('an agent unknown to epart is told whom to ask, and gets no session', async () => {
    const page = await newPage(browser);
    try {
      await openSignIn(page);
      await providerSignIn(page, 'inconnu@example.org', 'demo-inconnu');
      await page.waitForSelector('#connexion-refusee');
      assert.equal((await page.textContent('h1')).trim(), 'Connexion impossible');
      assert.match(await page.textContent('#connexion-refusee'), /administrateur/);
      assert.equal(await page.evaluate(() => sessionStorage.getItem('epart.token')), null);
      await axe(page, 'connexion refusée');
      await shot(page, 'oidc-agent-inconnu');
      noProblems(page);
    } finally {
      await page.context().close();
    }
  });

  test('an ID token signed by another key is refused by epart', async () => {
    const page = await newPage(browser);
    try {
      const intruder = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
      await rewriteIdToken(page, (t) => resign(t, intruder));
      await openSignIn(page);
      await providerSignIn(page, 'instructeur@cpam-171.fr', 'demo-instructeur');
      await page.waitForSelector('#connexion-refusee');
      assert.match(await page.textContent('#connexion-refusee'), /signature/);
      assert.equal(await page.evaluate(() => sessionStorage.getItem('epart.token')), null);
    } finally {
      await page.context().close();
    }
  });

  test('an expired ID token is refused', async () => {
    const page = await newPage(browser);
    try {
      const key = createPrivateKey({ key: PROVIDER_KEY, format: 'jwk' });
      const now = Math.floor(Date.now() / 1000);
      await rewriteIdToken(page, (t) => resign(t, key, { iat: now - 900, exp: now - 300 }));
      await openSignIn(page);
      await providerSignIn(page, 'instructeur@cpam-171.fr', 'demo-instructeur');
      await page.waitForSelector('#connexion-refusee');
      assert.equal(await page.evaluate(() => sessionStorage.getItem('epart.token')), null);
      await shot(page, 'oidc-jeton-expire');
    } finally {
      await page.context().close();
    }
  });
} else {
  test('after a key rotation at the provider, agents still sign in', async () => {
    const page = await newPage(browser);
    try {
      await openSignIn(page);
      await providerSignIn(page, 'instructeur@cpam-171.fr', 'demo-instructeur');
      assert.equal((await page.textContent('h1')).trim(), 'Dossiers à instruire');
      noProblems(page);
    } finally {
      await page.context().close();
    }
  });
}
