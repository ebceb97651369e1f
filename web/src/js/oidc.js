// oidc.js — agents sign in with the deployment's OpenID Connect provider
// (SPEC §13, docs/identite.md), through oauth4webapi (npm, a certified client
// library) rather than hand-written protocol:
//
//   "Se connecter"  the authorization code flow with PKCE (S256), state and
//                   nonce, to the provider named by GET /v1/auth/config;
//   /app/callback   the answer checked (state, iss), the code exchanged — by
//                   the page for a public client, by the API for a
//                   confidential one (its secret never comes here) — the ID
//                   token checked by oauth4webapi (iss, aud, exp, nonce) and
//                   sent to POST /v1/auth/session, which verifies it against
//                   the provider's keys and answers epart's own token: only
//                   that token is kept (sessionStorage); the provider's are
//                   dropped;
//   "Se déconnecter" ends epart's session and the provider's, at its
//                   end_session_endpoint when it has one.
//
// The verifier, state and nonce of a sign-in in progress live in
// sessionStorage (this tab only) until the callback, then are removed.

import * as oauth from '../vendor/oauth4webapi.js';
import { h, replace } from './dom.js';
import { route, navigate } from './router.js';
import { setToken, claims, expired, registerSignInMethod, onSignOut } from './session.js';
import { homeFor } from './nav.js';

const PENDING = 'epart.oidc.pending';
const VIA = 'epart.oidc.via'; // set while epart's session came from the provider

async function loadConfig() {
  try {
    const r = await fetch('/v1/auth/config', { headers: { Accept: 'application/json' }, cache: 'no-store' });
    return r.ok ? await r.json() : { enabled: false };
  } catch {
    return { enabled: false };
  }
}

const config = await loadConfig();

function server() {
  return {
    issuer: config.issuer,
    authorization_endpoint: config.authorization_endpoint,
    token_endpoint: config.token_endpoint,
    end_session_endpoint: config.end_session_endpoint || undefined,
    id_token_signing_alg_values_supported: config.id_token_signing_alg_values_supported,
  };
}

const client = () => ({ client_id: config.client_id });
// http is allowed by the API only for a provider on this machine (tests, demonstration)
const insecure = () => (config.issuer && config.issuer.startsWith('http://') ? { [oauth.allowInsecureRequests]: true } : {});

async function start() {
  const verifier = oauth.generateRandomCodeVerifier();
  const state = oauth.generateRandomState();
  const nonce = oauth.generateRandomNonce();
  sessionStorage.setItem(PENDING, JSON.stringify({ verifier, state, nonce }));
  const url = new URL(config.authorization_endpoint);
  url.search = new URLSearchParams({
    client_id: config.client_id,
    redirect_uri: config.redirect_uri,
    response_type: 'code',
    scope: config.scopes,
    state,
    nonce,
    code_challenge: await oauth.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
  }).toString();
  window.location.assign(url.href);
}

/** What went wrong, in French, from an oauth4webapi error or a problem document. */
function describe(e) {
  if (e && e.problem) return e.problem.detail || e.problem.title;
  if (e instanceof oauth.AuthorizationResponseError) {
    return e.error === 'access_denied'
      ? "La connexion a été refusée ou annulée chez le fournisseur d'identité."
      : `Le fournisseur d'identité a répondu par une erreur (${e.error}).`;
  }
  if (e instanceof oauth.ResponseBodyError) return `Le fournisseur d'identité a refusé l'échange du code (${e.error}).`;
  return "La réponse du fournisseur d'identité n'a pas pu être vérifiée ; recommencez la connexion.";
}

async function session(body) {
  const r = await fetch('/v1/auth/session', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
    body: JSON.stringify(body),
    cache: 'no-store',
  });
  const json = await r.json().catch(() => null);
  if (!r.ok) {
    const err = new Error('session refused');
    err.status = r.status;
    err.problem = json || { detail: `Erreur ${r.status}.` };
    throw err;
  }
  return json;
}

async function callback(main) {
  const pending = JSON.parse(sessionStorage.getItem(PENDING) || 'null');
  const here = new URL(window.location.href);
  // the code and state leave the address bar (and the history) at once
  history.replaceState(history.state, '', '/app/callback');
  sessionStorage.removeItem(PENDING);
  if (!pending) throw Object.assign(new Error('no pending'), { problem: { detail: "Aucune connexion n'était en cours dans cet onglet ; recommencez depuis la page de connexion." } });
  const params = oauth.validateAuthResponse(server(), client(), here, pending.state);
  let answer;
  if (config.confidential) {
    answer = await session({ code: params.get('code'), code_verifier: pending.verifier, nonce: pending.nonce });
  } else {
    const response = await oauth.authorizationCodeGrantRequest(server(), client(), oauth.None(), params,
      config.redirect_uri, pending.verifier, insecure());
    const result = await oauth.processAuthorizationCodeResponse(server(), client(), response,
      { expectedNonce: pending.nonce, requireIdToken: true });
    answer = await session({ id_token: result.id_token, nonce: pending.nonce });
  }
  setToken(answer.access_token);
  sessionStorage.setItem(VIA, '1');
  const c = claims();
  navigate(homeFor(c && c.role), { replace: true });
  void main;
}

function refused(main, message) {
  replace(main,
    h('h1', {}, 'Connexion impossible'),
    h('div', { class: ['notice', 'notice-warning'], role: 'alert' }, h('p', { id: 'connexion-refusee' }, message)),
    h('p', {}, h('a', { href: '/app/connexion' }, 'Revenir à la connexion')));
}

route({
  path: '/app/callback',
  roles: null,
  title: 'Connexion',
  render(main) {
    const c = claims();
    if (c && !expired(c) && !window.location.search) { navigate(homeFor(c.role), { replace: true }); return; }
    if (!config.enabled) {
      refused(main, "La connexion par fournisseur d'identité n'est pas configurée sur ce serveur.");
      return;
    }
    replace(main, h('h1', {}, 'Connexion'), h('p', { role: 'status' }, 'Connexion en cours…'));
    callback(main).catch((e) => refused(main, describe(e)));
  },
});

if (config.enabled) {
  registerSignInMethod({ id: 'oidc', label: 'Se connecter', start: () => { start(); } });
  onSignOut((reason) => {
    if (sessionStorage.getItem(VIA) !== '1') return;
    sessionStorage.removeItem(VIA);
    if (reason !== 'deconnexion' || !config.end_session_endpoint) return;
    const url = new URL(config.end_session_endpoint);
    url.search = new URLSearchParams({ client_id: config.client_id, post_logout_redirect_uri: config.post_logout_redirect_uri }).toString();
    window.location.assign(url.href);
  });
}
