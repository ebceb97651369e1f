// server.mjs — a real OpenID Connect provider (oidc-provider, OpenID Certified)
// for epart's tests and demonstration: the accounts of accounts.json, a sign-in
// page in French, consent granted to the epart client (a first-party
// application), RS256 and ES256 keys from a JWKS file of private keys.
//
// Environment:
//   OIDC_PORT            port on 127.0.0.1 (required); issuer http://127.0.0.1:<port>
//   OIDC_JWKS_FILE       private JWKS (RS256 and/or ES256 keys, each with kid); created
//                        with one RSA and one P-256 key when the file does not exist
//   OIDC_CLIENT_ID       (epart) the client epart registers
//   OIDC_CLIENT_SECRET   when set, the client is confidential (client_secret_basic/post)
//   OIDC_REDIRECT_URIS   comma-separated redirect URIs (<EPART_PUBLIC_URL>/app/callback)
//   OIDC_POST_LOGOUT_URIS comma-separated post-logout redirect URIs
//   OIDC_ID_TOKEN_ALG    RS256 (default) or ES256
//   OIDC_ACCOUNTS_FILE   accounts (default: accounts.json next to this file)
// Not for production: sessions and grants live in memory.
import { readFileSync, writeFileSync, existsSync } from 'node:fs';
import { createServer } from 'node:http';
import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Provider from 'oidc-provider';

const here = dirname(fileURLToPath(import.meta.url));
const port = Number(process.env.OIDC_PORT);
if (!port) {
  console.error('OIDC_PORT is required');
  process.exit(2);
}
const issuer = `http://127.0.0.1:${port}`;
const accounts = JSON.parse(readFileSync(process.env.OIDC_ACCOUNTS_FILE || join(here, 'accounts.json'), 'utf8'));

function loadKeys(file) {
  if (file && existsSync(file)) return JSON.parse(readFileSync(file, 'utf8'));
  const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ format: 'jwk' });
  const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ format: 'jwk' });
  const jwks = {
    keys: [
      { ...rsa, kid: `rsa-${randomUUID().slice(0, 8)}`, alg: 'RS256', use: 'sig' },
      { ...ec, kid: `ec-${randomUUID().slice(0, 8)}`, alg: 'ES256', use: 'sig' },
    ],
  };
  if (file) writeFileSync(file, JSON.stringify(jwks), { mode: 0o600 });
  return jwks;
}

const esc = (s) => String(s).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
const list = (v) => (v || '').split(',').map((s) => s.trim()).filter(Boolean);

const client = {
  client_id: process.env.OIDC_CLIENT_ID || 'epart',
  redirect_uris: list(process.env.OIDC_REDIRECT_URIS),
  post_logout_redirect_uris: list(process.env.OIDC_POST_LOGOUT_URIS),
  grant_types: ['authorization_code'],
  response_types: ['code'],
  id_token_signed_response_alg: process.env.OIDC_ID_TOKEN_ALG || 'RS256',
};
if (process.env.OIDC_CLIENT_SECRET) {
  client.client_secret = process.env.OIDC_CLIENT_SECRET;
  client.token_endpoint_auth_method = 'client_secret_basic';
} else {
  client.token_endpoint_auth_method = 'none';
}

const page = (title, body) => `<!DOCTYPE html><html lang="fr"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"><title>${esc(title)}</title>
<style>body{font-family:system-ui,sans-serif;max-width:28rem;margin:2rem auto;padding:0 1rem;color:#1e1e1e}
label{display:block;margin-top:1rem}input{display:block;width:100%;padding:.6rem;font-size:1rem;box-sizing:border-box}
button{margin-top:1.5rem;padding:.7rem 1.2rem;font-size:1rem;min-height:44px}.err{color:#a00000;font-weight:bold}</style>
</head><body><main><h1>${esc(title)}</h1>${body}</main></body></html>`;

const provider = new Provider(issuer, {
  clients: [client],
  jwks: loadKeys(process.env.OIDC_JWKS_FILE),
  cookies: { keys: [randomUUID(), randomUUID()] },
  pkce: { required: () => true },
  scopes: ['openid', 'email', 'profile'],
  claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['given_name', 'family_name', 'name'] },
  conformIdTokenClaims: false, // the ID token carries the claims its scopes grant
  features: {
    devInteractions: { enabled: false },
    rpInitiatedLogout: {
      enabled: true,
      logoutSource: async (ctx, form) => {
        ctx.body = page('Se déconnecter du fournisseur d\'identité',
          `${form}<p>Voulez-vous aussi fermer votre session chez le fournisseur d'identité de démonstration ?</p>
<button autofocus type="submit" form="op.logoutForm" value="yes" name="logout">Oui, me déconnecter</button>
<button type="submit" form="op.logoutForm">Non, rester connecté</button>`);
      },
      postLogoutSuccessSource: async (ctx) => {
        ctx.body = page('Déconnecté', '<p>Vous êtes déconnecté du fournisseur d\'identité.</p>');
      },
    },
  },
  ttl: { IdToken: 600, AccessToken: 600, Session: 3600, Interaction: 600, Grant: 3600 },
  async findAccount(ctx, sub) {
    const a = accounts.find((x) => x.sub === sub);
    if (!a) return undefined;
    return {
      accountId: sub,
      async claims() {
        return { sub, email: a.email, email_verified: true, given_name: a.given_name,
          family_name: a.family_name, name: `${a.given_name} ${a.family_name}` };
      },
    };
  },
  // epart is a first-party application: its scopes are granted without a consent page
  async loadExistingGrant(ctx) {
    const grantId = ctx.oidc.result?.consent?.grantId || ctx.oidc.session.grantIdFor(ctx.oidc.client.clientId);
    if (grantId) return ctx.oidc.provider.Grant.find(grantId);
    if (ctx.oidc.client.clientId !== client.client_id) return undefined;
    const grant = new ctx.oidc.provider.Grant({ clientId: ctx.oidc.client.clientId, accountId: ctx.oidc.session.accountId });
    grant.addOIDCScope('openid email profile');
    await grant.save();
    return grant;
  },
  interactions: { url: (ctx, interaction) => `/interaction/${interaction.uid}` },
  renderError: async (ctx, out) => {
    ctx.type = 'html';
    ctx.body = page('Erreur', `<p class="err">${esc(out.error)} : ${esc(out.error_description || '')}</p>`);
  },
});

function loginForm(uid, message) {
  return page('Connexion — fournisseur d\'identité de démonstration', `
${message ? `<p class="err" role="alert">${esc(message)}</p>` : ''}
<form method="post" action="/interaction/${esc(uid)}/login" autocomplete="off">
<label for="login">Adresse électronique</label><input id="login" name="login" type="email" required autofocus>
<label for="password">Mot de passe</label><input id="password" name="password" type="password" required>
<button type="submit">Se connecter</button></form>`);
}

async function readForm(req) {
  let body = '';
  for await (const chunk of req) {
    body += chunk;
    if (body.length > 10000) throw new Error('body too large');
  }
  return new URLSearchParams(body);
}

async function interaction(req, res) {
  const details = await provider.interactionDetails(req, res);
  const { uid, prompt } = details;
  if (req.method === 'GET') {
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
    res.end(loginForm(uid));
    return;
  }
  if (req.method === 'POST' && req.url.endsWith('/login') && prompt.name === 'login') {
    const form = await readForm(req);
    const a = accounts.find((x) => x.login === form.get('login') && x.password === form.get('password'));
    if (!a) {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      res.end(loginForm(uid, 'Adresse ou mot de passe incorrect.'));
      return;
    }
    await provider.interactionFinished(req, res, { login: { accountId: a.sub } }, { mergeWithLastSubmission: false });
    return;
  }
  res.writeHead(400, { 'content-type': 'text/plain; charset=utf-8' });
  res.end('requête invalide');
}

const callback = provider.callback();
createServer((req, res) => {
  if (req.url.startsWith('/interaction/')) {
    interaction(req, res).catch((e) => {
      if (!res.headersSent) res.writeHead(400, { 'content-type': 'text/plain; charset=utf-8' });
      res.end(`interaction impossible : ${e.message}`);
    });
    return;
  }
  callback(req, res);
}).listen(port, '127.0.0.1', () => {
  console.log(`oidc-demo: issuer ${issuer}, client ${client.client_id} (${client.token_endpoint_auth_method}), id_token ${client.id_token_signed_response_alg}`);
});
