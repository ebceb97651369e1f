// requests.js — "Signalements", "Rendez-vous", "Demandes de document" (SPEC
// §12, §8): the same pattern as the dossiers — a list by next due time with
// tabs by status, a page per request headed by its reference, its history, its
// deadlines, and a button for each transition its status allows (the API lists
// them in the document's "actions", so the page never offers what it refuses).

import { h, replace, notice, formatInstant, formatDate } from '../dom.js';
import { route, render as rerender } from '../router.js';
import { get, post, qs, ApiError } from '../api.js';
import {
  SIGNALEMENT_STATUSES, RENDEZ_VOUS_STATUSES, DEMANDE_DOCUMENT_STATUSES, SIGNALEMENT_REASONS,
  DOCUMENTS, label, humanize,
} from '../labels.js';
import { echeanceCell, nextDeadline, deadlinesTable } from '../deadlines.js';
import { organisations, orgNames } from '../orgs.js';
import { historyLine, authorLabel, fieldErrors } from '../explain.js';

const ACTION_LABELS = {
  pris_en_charge: 'Prendre en charge', en_cours: "Passer à l'accompagnement en cours", soins_realises: 'Soins réalisés',
  non_pertinent: 'Non pertinent', abandon: 'Abandon', rappele: 'Rappelé', planifie: 'Planifier', honore: 'Honoré',
  non_honore: 'Non honoré', annule: 'Annuler', envoye: 'Document envoyé', refuse: 'Refuser',
};

function personFacts(p) {
  p = p || {};
  return [
    ['Nom', p.last_name], ['Prénoms', (p.first_names || []).join(' ')],
    ['Date de naissance', formatDate(p.birth_date)], ['Téléphone', p.phone], ['Courriel', p.email],
    p.address ? ['Adresse', [p.address.line, [p.address.postal_code, p.address.city].filter(Boolean).join(' ')].filter(Boolean).join(', ')] : null,
  ];
}

function availability(a) {
  return (a || []).map((x) => (typeof x === 'string' ? x : `du ${formatInstant(x.from)} au ${formatInstant(x.to)}`)).join(' ; ');
}

const KINDS = [
  {
    slug: 'signalements', api: '/v1/signalements', title: 'Signalements', one: 'Signalement',
    statuses: SIGNALEMENT_STATUSES,
    what: (r) => [['Raisons', (r.reasons || []).map((x) => label(SIGNALEMENT_REASONS, x)).join(', ')], ['Parcours', humanize(r.parcours)], ['Commentaire', r.comment]],
    summary: (r) => (r.reasons || []).map((x) => label(SIGNALEMENT_REASONS, x)).join(', '),
  },
  {
    slug: 'rendez-vous', api: '/v1/rendez-vous', title: 'Rendez-vous', one: 'Rendez-vous',
    statuses: RENDEZ_VOUS_STATUSES,
    what: (r) => [['Lieu', r.site], ['Motif', r.reason], ['Disponibilités', availability(r.availability)], ['Commentaire', r.comment]],
    summary: (r) => r.reason || '',
  },
  {
    slug: 'demandes-document', api: '/v1/demandes-document', title: 'Demandes de document', one: 'Demande de document',
    statuses: DEMANDE_DOCUMENT_STATUSES,
    what: (r) => [['Document', label(DOCUMENTS, r.document) === r.document ? humanize(r.document) : label(DOCUMENTS, r.document)], ['Envoi par', humanize(r.channel)], ['Commentaire', r.comment]],
    summary: (r) => (DOCUMENTS[r.document] || humanize(r.document)),
  },
];

function facts(pairs) {
  return h('dl', { class: 'facts' }, pairs.filter(Boolean).map(([k, v]) => [h('dt', {}, k), h('dd', {}, v === null || v === undefined || v === '' ? '—' : v)]));
}

for (const k of KINDS) {
  route({
    path: `/app/${k.slug}`,
    roles: ['instructor', 'admin'],
    title: k.title,
    async render(main, params, query) {
      const status = query.get('status');
      const org = query.get('org');
      const cursor = query.get('cursor');
      const [list, counts, orgs] = await Promise.all([
        get(k.api + qs({ status, org, cursor, sort: 'due', limit: 50 })),
        get(`${k.api}/counts` + qs({ org })),
        organisations(),
      ]);
      const c = counts.json;
      const names = new Map(orgs.map((o) => [o.id, o.name]));
      const href = (extra) => `/app/${k.slug}` + qs({ status, org, ...extra });
      const items = list.json.items;
      const tabs = h('nav', { 'aria-label': 'Statuts' }, h('ul', { class: 'tabs' },
        [['', 'Tous'], ...Object.entries(k.statuses)].map(([code, name]) => h('li', {},
          h('a', { href: href({ status: code || null, cursor: null }), 'aria-current': (status || '') === code ? 'true' : null },
            `${name} (${code ? (c.statuses[code] ?? 0) : c.total})`)))));
      const filter = h('form', { class: 'filters', novalidate: true, 'aria-label': 'Filtrer',
        onsubmit: (ev) => { ev.preventDefault(); const v = new FormData(ev.target).get('org'); window.history.pushState(null, '', href({ org: v || null, cursor: null })); rerender(); } },
      h('div', { class: 'field' }, h('label', { for: 'f-org' }, 'Partenaire'),
        h('select', { id: 'f-org', name: 'org' }, h('option', { value: '' }, 'Tous'),
          orgs.map((o) => h('option', { value: o.id, selected: org === o.id }, o.name)))),
      h('div', { class: 'actions' }, h('button', { type: 'submit' }, 'Filtrer')));
      const table = h('table', { class: 'list' },
        h('caption', {}, `${k.title}, échéance la plus proche en premier`),
        h('thead', {}, h('tr', {}, ['Référence', 'Personne', 'Objet', 'Partenaire', 'Statut', 'Échéance'].map((t) => h('th', { scope: 'col' }, t)))),
        h('tbody', {}, items.map((r) => {
          const dl = nextDeadline(r.deadlines);
          return h('tr', { class: dl && dl.state === 'breached' ? 'breached' : null },
            h('th', { scope: 'row', 'data-label': 'Référence' }, h('a', { href: `/app/${k.slug}/${r.id}` }, r.reference)),
            h('td', { 'data-label': 'Personne' }, r.person ? `${r.person.last_name || ''} ${(r.person.first_names || []).join(' ')}`.trim() : '—'),
            h('td', { 'data-label': 'Objet' }, k.summary(r)),
            h('td', { 'data-label': 'Partenaire' }, names.get(r.org) || 'Partenaire inconnu'),
            h('td', { 'data-label': 'Statut' }, label(k.statuses, r.status)),
            h('td', { 'data-label': 'Échéance' }, echeanceCell(r.deadlines)));
        })));
      const next = list.json.next_cursor;
      replace(main, h('h1', {}, k.title), tabs, filter,
        c.overdue ? h('p', {}, h('span', { class: 'badge badge-danger' }, `${c.overdue} en retard`)) : null,
        items.length ? h('div', { class: 'table-wrap', tabindex: '0', role: 'region', 'aria-label': `Liste : ${k.title}` }, table) : h('p', {}, 'Aucune demande ne correspond.'),
        h('nav', { class: 'pager', 'aria-label': 'Pages de la liste' },
          cursor ? h('a', { class: 'button button-secondary', href: href({ cursor: null }) }, 'Première page') : null,
          next ? h('a', { class: 'button button-secondary', href: href({ cursor: next }), rel: 'next' }, 'Page suivante') : null));
    },
  });

  route({
    path: `/app/${k.slug}/:id`,
    roles: ['instructor', 'admin'],
    title: k.one,
    async render(main, params) {
      let r;
      try {
        r = await get(`${k.api}/${encodeURIComponent(params.id)}`);
      } catch (e) {
        if (e.status === 404) {
          replace(main, h('h1', {}, 'Demande introuvable'), h('p', {}, h('a', { href: `/app/${k.slug}` }, `Revenir aux ${k.title.toLowerCase()}`)));
          return;
        }
        throw e;
      }
      const d = r.json;
      const version = Number(String(r.etag || '').replace(/"/g, '')) || d.version;
      document.title = `${k.one} ${d.reference} — epart`;
      const names = await orgNames();
      const status = h('div', { id: 'action-status', role: 'status', 'aria-live': 'polite', tabindex: '-1' });
      const comment = h('textarea', { id: 'commentaire', name: 'comment', rows: '2' });
      const actions = d.actions || [];
      const form = h('form', { novalidate: true, 'aria-labelledby': 'actions' },
        h('div', { class: 'field' }, h('label', { for: 'commentaire' }, 'Commentaire (facultatif)'), comment),
        h('div', { class: 'actions' }, actions.map((a) => h('button', { type: 'submit', name: 'action', value: a, class: ['annule', 'abandon', 'refuse', 'non_pertinent', 'non_honore'].includes(a) ? 'button-danger' : null }, ACTION_LABELS[a] || humanize(a)))));
      form.addEventListener('submit', async (ev) => {
        ev.preventDefault();
        const action = ev.submitter && ev.submitter.value;
        if (!action) return;
        for (const b of form.querySelectorAll('button')) b.disabled = true;
        try {
          const body = { action };
          if (comment.value.trim()) body.comment = comment.value.trim();
          await post(`${k.api}/${d.id}/transitions`, body, { headers: { 'If-Match': `"${version}"` } });
          flash = `Fait : ${label(k.statuses, action)}.`;
          window.history.replaceState({ keepFocus: true }, '', window.location.pathname);
          await rerender();
          document.getElementById('action-status')?.focus();
        } catch (e) {
          for (const b of form.querySelectorAll('button')) b.disabled = false;
          if (e instanceof ApiError && e.status === 412) {
            replace(status, notice("Quelqu'un d'autre a modifié cette demande pendant que vous la consultiez : votre action n'a pas été enregistrée.", 'error',
              h('button', { type: 'button', onclick: () => rerender() }, 'Recharger la demande')));
          } else if (e instanceof ApiError && e.status === 422) {
            fieldErrors(form, e.problem, status);
          } else {
            replace(status, notice(`L'action a échoué : ${e.message}`, 'error'));
          }
          status.focus();
        }
      });
      const shown = flash;
      flash = null;
      if (shown) replace(status, notice(shown, 'success'));
      replace(main,
        h('p', { class: 'muted' }, h('a', { href: `/app/${k.slug}` }, `← ${k.title}`)),
        h('h1', {}, d.reference),
        h('p', {}, h('span', { class: 'badge', id: 'statut' }, `Statut : ${label(k.statuses, d.status)}`), ' ', `${k.one} — ${names.get(d.org) || 'Partenaire inconnu'}`),
        h('section', { class: 'panel', 'aria-labelledby': 'actions' }, h('h2', { id: 'actions' }, 'Actions'), status,
          actions.length ? form : h('p', {}, 'Cette demande est close : aucune action possible.')),
        h('section', { class: 'panel', 'aria-labelledby': 'personne' }, h('h2', { id: 'personne' }, 'Personne'), facts(personFacts(d.person))),
        h('section', { class: 'panel', 'aria-labelledby': 'demande' }, h('h2', { id: 'demande' }, 'Demande'), facts([['Reçue le', formatInstant(d.received_at)], ...k.what(d)])),
        h('section', { class: 'panel', 'aria-labelledby': 'echeances' }, h('h2', { id: 'echeances' }, 'Échéances'), deadlinesTable(d.deadlines)),
        h('section', { class: 'panel', 'aria-labelledby': 'historique' }, h('h2', { id: 'historique' }, 'Historique'),
          (d.history || []).length ? h('ol', { class: 'timeline' }, d.history.map((e) => h('li', {},
            h('p', { class: 'meta' }, h('time', { datetime: e.at }, formatInstant(e.at)), ' — ', authorLabel(e.actor)),
            h('p', {}, historyLine(e, k.statuses))))) : h('p', {}, 'Aucun événement.')));
    },
  });
}

let flash = null;
