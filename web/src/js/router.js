// router.js — the pages of the application as data (like the API's route
// table): each route names its path pattern, the roles that may see it, its
// title and the function that renders it. Links under /app/ are followed
// without reloading (History API); the server answers index.html for every
// extension-less path under /app/, so a reload or a shared link works too.

import { h, replace } from './dom.js';

const routes = [];

/** Declare a page: {path: '/app/dossiers/:id', roles: [...]|null, title, render(main, params, query)}.
 *  title may be a string or a function of params. */
export function route(r) {
  const names = [];
  const re = new RegExp('^' + r.path.replace(/:[a-z]+/g, (m) => { names.push(m.slice(1)); return '([^/]+)'; }) + '$');
  routes.push({ ...r, re, names });
}

/** The query parameter name when it is one of the keys of allowed, else '':
 *  a link's filter is read only among the values the page offers. */
export function queryChoice(query, name, allowed) {
  const v = query.get(name);
  return v && Object.hasOwn(allowed, v) ? v : '';
}

function match(pathname) {
  for (const r of routes) {
    const m = r.re.exec(pathname);
    if (m) {
      const params = {};
      r.names.forEach((n, i) => { params[n] = decodeURIComponent(m[i + 1]); });
      return { r, params };
    }
  }
  return null;
}

let guard = () => null;
/** guard(route or null when no page matches) returns a path to go to instead
 *  (sign-in, home) or null. */
export function setGuard(fn) { guard = fn; }

let afterRender = () => {};
export function setAfterRender(fn) { afterRender = fn; }
let afterRenderHook = () => {};
function setAfterRenderHook(fn) { afterRenderHook = fn; }

let renderSeq = 0;

/** Render the page of the current address. */
export async function render() {
  const main = document.getElementById('contenu');
  const found = match(window.location.pathname);
  const seq = ++renderSeq;
  const redirect = guard(found ? found.r : null);
  if (redirect) { navigate(redirect, { replace: true }); return; }
  if (!found) {
    setTitle('Page introuvable');
    replace(main, h('h1', { tabindex: '-1' }, 'Page introuvable'),
      h('p', {}, "Cette adresse ne correspond à aucune page. "), h('p', {}, h('a', { href: '/app/' }, "Revenir à l'accueil")));
    afterRenderHook();
    afterRender(null);
    return;
  }
  const query = new URLSearchParams(window.location.search);
  const title = typeof found.r.title === 'function' ? found.r.title(found.params) : found.r.title;
  setTitle(title);
  replace(main, h('p', { class: 'loading', role: 'status' }, 'Chargement…'));
  try {
    await found.r.render(main, found.params, query, () => seq !== renderSeq);
  } catch (e) {
    if (seq !== renderSeq) return;
    if (e && e.status === 401) return; // the session module already brought sign-in back
    replace(main, h('h1', { tabindex: '-1' }, title),
      h('div', { class: 'notice notice-error', role: 'alert' },
        h('p', {}, (e && e.message) || 'Une erreur est survenue.')));
  }
  if (seq === renderSeq) { afterRenderHook(); afterRender(found.r); }
}

export function setTitle(t) {
  document.title = `${t} — epart`;
}

/** Go to path (with its query) and render it. */
export function navigate(path, { replace: rep = false, keepFocus = false } = {}) {
  if (rep) history.replaceState({ keepFocus }, '', path);
  else history.pushState({ keepFocus }, '', path);
  render();
}

/** Follow in-application links without reloading. */
export function start() {
  document.addEventListener('click', (ev) => {
    const a = ev.target.closest && ev.target.closest('a[href]');
    if (!a || ev.defaultPrevented || ev.button !== 0 || ev.metaKey || ev.ctrlKey || ev.shiftKey || ev.altKey) return;
    if ((a.getAttribute('href') || '').startsWith('#')) return; // in-page anchors (the skip link)
    const url = new URL(a.href, window.location.href);
    if (url.origin !== window.location.origin || !url.pathname.startsWith('/app/') || a.hasAttribute('download') || a.target) return;
    if (/\.[a-z0-9]+$/i.test(url.pathname)) return;
    ev.preventDefault();
    navigate(url.pathname + url.search);
  });
  // A fragment link (the skip link) also fires popstate: only a change of page
  // renders again.
  let shown = window.location.pathname + window.location.search;
  window.addEventListener('popstate', () => {
    const now = window.location.pathname + window.location.search;
    if (now === shown) return;
    shown = now;
    render();
  });
  setAfterRenderHook(() => { shown = window.location.pathname + window.location.search; });
  return render();
}
