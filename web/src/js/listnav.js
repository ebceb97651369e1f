// listnav.js — "Dossier précédent" / "Dossier suivant": the ids of the list
// page a dossier was opened from, kept for the tab in sessionStorage (ids only,
// no personal data).

const KEY = 'epart.list';

export function rememberList(href, ids) {
  sessionStorage.setItem(KEY, JSON.stringify({ href, ids }));
}

/** {prev, next, href} around id, or null when the dossier was not in the list. */
export function around(id) {
  try {
    const l = JSON.parse(sessionStorage.getItem(KEY) || 'null');
    if (!l) return null;
    const i = l.ids.indexOf(id);
    if (i < 0) return null;
    return { prev: l.ids[i - 1] || null, next: l.ids[i + 1] || null, href: l.href };
  } catch {
    return null;
  }
}
