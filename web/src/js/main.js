// main.js — start of the application: take the token of the sign-in link,
// declare the pages, draw the banner and the navigation for the role, render.

import { h, replace } from './dom.js';
import { captureTokenFromUrl, claims, expired, signOut } from './session.js';
import { setUnauthorizedHandler } from './api.js';
import { navigate, render, setAfterRender, setGuard, start } from './router.js';
import { navFor, homeFor, roleLabel } from './nav.js';
import './pages/index.js';

captureTokenFromUrl();

setUnauthorizedHandler(() => navigate('/app/connexion?raison=expiree', { replace: true }));

const PUBLIC = new Set(['/app/connexion', '/app/callback']);

setGuard((r) => {
  const c = claims();
  const path = window.location.pathname;
  if (PUBLIC.has(path)) return null;
  if (!c) return '/app/connexion';
  if (expired(c)) {
    signOut('expiree');
    return '/app/connexion?raison=expiree';
  }
  if (r && r.roles && !r.roles.includes(c.role)) return homeFor(c.role);
  return null;
});

function drawChrome(current) {
  const c = claims();
  const session = document.getElementById('session');
  const nav = document.getElementById('navigation');
  const list = document.getElementById('nav-list');
  if (!c || expired(c) || PUBLIC.has(window.location.pathname)) {
    replace(session);
    nav.hidden = true;
    return;
  }
  replace(session,
    h('span', { class: 'who' }, roleLabel(c)),
    h('button', { type: 'button', class: 'button-secondary', id: 'se-deconnecter', onclick: () => { signOut('deconnexion'); navigate('/app/connexion?raison=deconnexion'); } }, 'Se déconnecter'));
  const path = window.location.pathname;
  replace(list, navFor(c.role).map((item) => {
    const active = item.match ? item.match(path) : path === item.href;
    return h('li', {}, h('a', { href: item.href, 'aria-current': active ? 'page' : null }, item.label));
  }));
  nav.hidden = false;
  void current;
}

// Focus goes to the new page's heading after a navigation inside the
// application (as a screen reader user expects), never on the first load, where
// the skip link must stay the first stop of the keyboard.
let firstRender = true;

setAfterRender((r) => {
  drawChrome(r);
  const keep = (history.state && history.state.keepFocus) || firstRender;
  firstRender = false;
  const h1 = document.querySelector('#contenu h1');
  if (h1 && !keep) {
    h1.setAttribute('tabindex', '-1');
    h1.focus({ preventScroll: false });
  }
  document.body.dataset.ready = 'true';
});

// Token expiry while a page stays open: checked when the tab comes back.
document.addEventListener('visibilitychange', () => {
  const c = claims();
  if (document.visibilityState === 'visible' && c && expired(c)) {
    signOut('expiree');
    navigate('/app/connexion?raison=expiree', { replace: true });
  }
});

start();
void render;
