// dossiers.js — "Dossiers à instruire" (SPEC §12): the caisse's backlog, the
// next due time first; tabs by status with their counts
// (GET /v1/dossiers/counts), filters by prestation and partner, "En retard
// uniquement", a search by reference, pages by keyset, the filtered list as CSV,
// and "Commencer l'instruction" on several selected dossiers at once. The
// filters live in the address (?status=…&prestation=…), so that back, forward,
// a reload and a shared link keep them; "Dossier précédent/suivant" on a
// dossier's page follow the list it was opened from.

import { h, replace, notice } from '../dom.js';
import { route, navigate } from '../router.js';
import { get, post, qs, ApiError } from '../api.js';
import { PRESTATIONS, DOSSIER_STATUSES, label } from '../labels.js';
import { echeanceCell, nextDeadline } from '../deadlines.js';
import { organisations } from '../orgs.js';
import { downloadCsv } from '../download.js';
import { rememberList } from '../listnav.js';

const TABS = [['', 'Tous'], ['recu', 'Reçus'], ['en_instruction', 'En instruction'],
  ['pieces_demandees', 'Pièces demandées'], ['depose', 'Déposés'], ['accorde', 'Accordés'],
  ['refuse', 'Refusés'], ['sans_suite', 'Classés sans suite']];

const FILTER_KEYS = ['status', 'prestation', 'org', 'overdue', 'q'];

function filtersOf(query) {
  const f = {};
  for (const k of FILTER_KEYS) if (query.get(k)) f[k] = query.get(k);
  return f;
}

function href(f, extra = {}) {
  return '/app/' + qs({ ...f, ...extra });
}

route({
  path: '/app/',
  roles: ['instructor', 'admin'],
  title: 'Dossiers à instruire',
  async render(main, params, query) {
    const f = filtersOf(query);
    const cursor = query.get('cursor');
    const [list, counts, orgs] = await Promise.all([
      get('/v1/dossiers' + qs({ ...f, sort: 'due', limit: 50, cursor })),
      get('/v1/dossiers/counts' + qs({ ...f, status: null })),
      organisations(),
    ]);
    const names = new Map(orgs.map((o) => [o.id, o.name]));
    const items = list.json.items;
    const c = counts.json;
    rememberList(href(f, cursor ? { cursor } : {}), items.map((d) => d.id));

    const status = h('div', { id: 'bulk-status', role: 'status', 'aria-live': 'polite' });

    // tabs by status, each with its count (the other filters apply)
    const tabs = h('nav', { 'aria-label': 'Statuts' }, h('ul', { class: 'tabs' }, TABS.map(([code, name]) => {
      const n = code ? c.statuses[code] : c.total;
      const current = (f.status || '') === code;
      return h('li', {}, h('a', { href: href({ ...f, status: code || null }), 'aria-current': current ? 'true' : null },
        `${name} (${n})`));
    })));

    const filterForm = h('form', { class: 'filters', role: 'search', 'aria-label': 'Filtrer les dossiers', novalidate: true,
      onsubmit: (ev) => {
        ev.preventDefault();
        const fd = new FormData(ev.target);
        navigate(href({ status: f.status, prestation: fd.get('prestation'), org: fd.get('org'),
          overdue: fd.get('overdue') ? 'true' : null, q: (fd.get('q') || '').trim() }));
      } },
    h('div', { class: 'field' }, h('label', { for: 'f-q' }, 'Rechercher une référence'),
      h('input', { id: 'f-q', name: 'q', type: 'search', value: f.q || '', autocomplete: 'off', placeholder: 'EP-20261201-000001' })),
    h('div', { class: 'field' }, h('label', { for: 'f-prestation' }, 'Prestation'),
      h('select', { id: 'f-prestation', name: 'prestation' },
        h('option', { value: '' }, 'Toutes'),
        Object.entries(PRESTATIONS).map(([k, v]) => h('option', { value: k, selected: f.prestation === k }, v)))),
    h('div', { class: 'field' }, h('label', { for: 'f-org' }, 'Partenaire'),
      h('select', { id: 'f-org', name: 'org' },
        h('option', { value: '' }, 'Tous'),
        orgs.map((o) => h('option', { value: o.id, selected: f.org === o.id }, o.name)))),
    h('div', { class: 'field' }, h('label', { class: 'check', for: 'f-overdue' },
      h('input', { id: 'f-overdue', name: 'overdue', type: 'checkbox', checked: f.overdue === 'true' }), `En retard uniquement (${c.overdue})`)),
    h('div', { class: 'actions' },
      h('button', { type: 'submit' }, 'Filtrer'),
      h('a', { class: 'button button-secondary', href: '/app/' }, 'Effacer les filtres')));

    // selection for "Commencer l'instruction" on several dossiers at once
    const startable = items.filter((d) => d.status === 'recu');
    const boxes = [];
    const selectAll = h('input', { type: 'checkbox', id: 'select-all',
      onchange: (ev) => { for (const b of boxes) b.checked = ev.target.checked; } });
    const bulk = h('button', { type: 'button', id: 'bulk-start', onclick: () => startSelected(boxes, status) }, "Commencer l'instruction");

    const rows = items.map((d) => {
      const dl = nextDeadline(d.deadlines);
      let box = null;
      if (d.status === 'recu') {
        box = h('input', { type: 'checkbox', id: `sel-${d.id}`, value: d.id, 'data-reference': d.reference });
        boxes.push(box);
      }
      return h('tr', { class: dl && dl.state === 'breached' ? 'breached' : null },
        h('td', { class: 'select' }, box ? h('label', { for: `sel-${d.id}` }, box, h('span', { class: 'sr-only' }, `Sélectionner ${d.reference}`)) : null),
        h('th', { scope: 'row', 'data-label': 'Référence' }, h('a', { href: `/app/dossiers/${d.id}` }, d.reference)),
        h('td', { 'data-label': 'Prestation' }, label(PRESTATIONS, d.prestation)),
        h('td', { 'data-label': 'Partenaire' }, names.get(d.org) || 'Partenaire inconnu'),
        h('td', { 'data-label': 'Statut' }, label(DOSSIER_STATUSES, d.status)),
        h('td', { 'data-label': 'Échéance' }, echeanceCell(d.deadlines)));
    });

    const table = h('table', { class: 'list', id: 'dossiers' },
      h('caption', {}, `Dossiers, échéance la plus proche en premier (${items.length} sur cette page)`),
      h('thead', {}, h('tr', {},
        h('th', { scope: 'col', class: 'select' }, h('span', { class: 'sr-only' }, 'Sélection')),
        ['Référence', 'Prestation', 'Partenaire', 'Statut', 'Échéance'].map((t) => h('th', { scope: 'col' }, t)))),
      h('tbody', {}, rows));

    const next = list.json.next_cursor;
    const pager = h('nav', { class: 'pager', 'aria-label': 'Pages de la liste' },
      cursor ? h('a', { class: 'button button-secondary', href: href(f) }, 'Première page') : null,
      next ? h('a', { class: 'button button-secondary', href: href(f, { cursor: next }), rel: 'next' }, 'Page suivante') : null);

    replace(main,
      h('h1', {}, 'Dossiers à instruire'),
      tabs,
      filterForm,
      h('div', { class: 'actions' },
        startable.length ? h('label', { class: 'check', for: 'select-all' }, selectAll, 'Sélectionner tous les dossiers reçus de la page') : null,
        startable.length ? bulk : null,
        h('button', { type: 'button', class: 'button-secondary', id: 'export-csv',
          onclick: () => downloadCsv('/v1/dossiers' + qs({ ...f, sort: 'due' }), 'dossiers.csv', status) }, 'Exporter en CSV')),
      status,
      items.length ? h('div', { class: 'table-wrap', tabindex: '0', role: 'region', 'aria-label': 'Liste des dossiers' }, table)
        : h('p', {}, 'Aucun dossier ne correspond à ces critères.'),
      pager);
  },
});

async function startSelected(boxes, status) {
  const chosen = boxes.filter((b) => b.checked);
  if (!chosen.length) {
    replace(status, notice('Sélectionnez au moins un dossier reçu.', 'warning'));
    return;
  }
  replace(status, notice(`Instruction en cours de démarrage pour ${chosen.length} dossier(s)…`));
  const results = await Promise.all(chosen.map(async (b) => {
    try {
      await post(`/v1/dossiers/${b.value}/transitions`, { action: 'start_instruction' });
      return { ref: b.dataset.reference, ok: true };
    } catch (e) {
      return { ref: b.dataset.reference, ok: false, why: e instanceof ApiError ? e.message : String(e) };
    }
  }));
  const ok = results.filter((r) => r.ok);
  const ko = results.filter((r) => !r.ok);
  // render the list again with the new statuses, then say what happened
  const url = window.location.pathname + window.location.search;
  history.replaceState({ keepFocus: true }, '', url);
  await navigateAndAnnounce(url, ok, ko);
}

async function navigateAndAnnounce(url, ok, ko) {
  navigate(url, { replace: true, keepFocus: true });
  const wait = () => new Promise((r) => setTimeout(r, 50));
  for (let i = 0; i < 100 && !document.getElementById('bulk-status'); i++) await wait();
  await wait();
  const status = document.getElementById('bulk-status');
  if (!status) return;
  replace(status,
    ok.length ? notice(`Instruction commencée pour ${ok.length} dossier(s) : ${ok.map((r) => r.ref).join(', ')}.`, 'success') : null,
    ko.length ? notice(`Non commencée pour ${ko.length} dossier(s) :`, 'error', h('ul', {}, ko.map((r) => h('li', {}, `${r.ref} — ${r.why}`)))) : null);
  status.focus?.();
}
