// session.js — who is signed in (SPEC §12, §13).
//
// The token of the link /app/#token=<JWT> is moved to sessionStorage (never
// localStorage, never a cookie) and removed from the address bar at once, so it
// is neither kept in the history nor shown on screen. The OpenID Connect flow of
// SPEC §13 plugs in here: it registers a sign-in method (a button on the sign-in
// page) and, after its callback, calls setToken() with epart's session token;
// signOut() runs the end-of-session hooks it registers (the provider's logout).

const KEY = 'epart.token';
const methods = [];
const signOutHooks = [];

/** Take the token from the fragment "#token=…" if present; true if one was taken. */
export function captureTokenFromUrl() {
  const m = /^#token=([^&]+)/.exec(window.location.hash);
  if (!m) return false;
  history.replaceState(history.state, '', window.location.pathname + window.location.search);
  setToken(decodeURIComponent(m[1]));
  return true;
}

export function setToken(t) {
  sessionStorage.setItem(KEY, t);
}

export function token() {
  return sessionStorage.getItem(KEY);
}

function b64urlJson(part) {
  const b64 = part.replace(/-/g, '+').replace(/_/g, '/');
  const bin = atob(b64 + '='.repeat((4 - (b64.length % 4)) % 4));
  const bytes = Uint8Array.from(bin, (ch) => ch.charCodeAt(0));
  return JSON.parse(new TextDecoder().decode(bytes));
}

/** The claims of the current token ({role, caisse, org, sub, exp}), or null when
 *  there is none or it cannot be read. The API checks the signature; the page
 *  only reads the claims to choose what to show. */
export function claims() {
  const t = token();
  if (!t) return null;
  try {
    const c = b64urlJson(t.split('.')[1] || '');
    return c && typeof c.role === 'string' ? c : null;
  } catch {
    return null;
  }
}

/** True when the token's exp has passed. */
export function expired(c = claims()) {
  return !c || (typeof c.exp === 'number' && c.exp * 1000 <= Date.now());
}

/** Forget the session; reason ("expiree", "deconnexion", "refusee") is shown by
 *  the sign-in page. Runs the registered hooks (OIDC logout). */
export function signOut(reason = 'deconnexion') {
  sessionStorage.removeItem(KEY);
  for (const hook of signOutHooks) {
    try { hook(reason); } catch { /* a failing hook must not keep the session */ }
  }
}

/** Register a sign-in method shown on the sign-in page:
 *  {id, label, start: () => void}. */
export function registerSignInMethod(m) {
  methods.push(m);
}

export function signInMethods() {
  return methods.slice();
}

/** Register a function called by signOut(reason). */
export function onSignOut(fn) {
  signOutHooks.push(fn);
}
