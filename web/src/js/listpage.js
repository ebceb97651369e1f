// listpage.js — what a keyset list page of the partner's space does with its
// address: its filters, declared once, read from the query (each among the
// values the page offers), and the pager whose links keep them.

import { h } from './dom.js';
import { qs } from './api.js';
import { queryChoice } from './router.js';

/** The filters and the cursor of a list page's address. spec maps each filter
 *  to the object of its allowed values (queryChoice), String (any text) or
 *  Boolean (the value 'true'). Returns { filters, cursor }. */
export function listQuery(query, spec) {
  const filters = {};
  for (const [name, allowed] of Object.entries(spec)) {
    if (allowed === Boolean) filters[name] = query.get(name) === 'true';
    else if (allowed === String) filters[name] = query.get(name) || '';
    else filters[name] = queryChoice(query, name, allowed);
  }
  return { filters, cursor: query.get('cursor') };
}

/** "Première page" (when on a later page) and "Page suivante" (when the API
 *  gave a next cursor) of the list at path, with its filters; null when there
 *  is neither. */
export function pager(path, filters, cursor, next) {
  const nav = h('nav', { class: 'pager', 'aria-label': 'Pages de la liste' },
    cursor ? h('a', { href: path + qs(filters) }, 'Première page') : null,
    next ? h('a', { href: path + qs({ ...filters, cursor: next }), rel: 'next' }, 'Page suivante') : null);
  return nav.childElementCount ? nav : null;
}
