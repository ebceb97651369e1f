// partner.js — the space of a partner (SPEC §12, issue 12): "Mes demandes",
// every request of the organisation newest first (GET /v1/demandes, keyset
// pages), and the page of one request, headed by its reference: status, due
// dates, history, the pre-instruction's result, the decision and the rights,
// the messages with the caisse, the pieces asked for, and for a deposit the
// attestation and its transmission.

import { h, replace, formatInstant, formatDate, badge, notice } from '../dom.js';
import { route, navigate } from '../router.js';
import { listQuery, pager } from '../listpage.js';
import { api, get, post, qs } from '../api.js';
import {
  PRESTATIONS, PIECES, CLOCKS, CLOCK_STATES, SIGNALEMENT_REASONS, DOCUMENTS, CHANNELS, SEXES, label,
} from '../labels.js';
import { echeanceCell } from '../deadlines.js';
import { REQUEST_KINDS, requestPage, statusLabel, FINAL } from '../kinds.js';
import { selectField, checkboxField, onSubmit, textField, newKey } from '../forms.js';
import { piecesEditor } from './partner_pieces.js';
import { parcoursLabels } from './partner_forms.js';

// ---- "Mes demandes" ------------------------------------------------------------

function statusOptions(kind) {
  if (kind && REQUEST_KINDS[kind]) return Object.entries(REQUEST_KINDS[kind].statuses);
  return Object.entries(REQUEST_KINDS).map(([, k]) => ({ group: k.plural, options: Object.entries(k.statuses) }));
}

function subject(d) {
  if (d.kind === 'dossier') return `${label(PRESTATIONS, d.prestation)}${d.first_request ? ', première demande' : ''}`;
  if (d.kind === 'signalement') return d.parcours_label || d.parcours || '';
  if (d.kind === 'rendez_vous') return d.site || '';
  return label(DOCUMENTS, d.document);
}

function person(p) {
  if (!p || !p.last_name) return '—';
  return `${p.last_name} ${(p.first_names || []).join(' ')}`.trim();
}

route({
  path: '/app/espace/demandes',
  roles: ['partner'],
  title: 'Mes demandes',
  async render(main, params, query) {
    const { filters: chosen, cursor } = listQuery(query, { kind: REQUEST_KINDS, status: String, overdue: Boolean });
    const { kind, status, overdue } = chosen;
    const [list, parcours] = await Promise.all([
      get('/v1/demandes' + qs({ ...chosen, cursor, limit: 25 })),
      parcoursLabels(),
    ]);
    const items = list.json.items;
    for (const d of items) if (d.kind === 'signalement') d.parcours_label = parcours.get(d.parcours);

    const kindSel = selectField({
      name: 'kind', label: 'Type de demande', value: kind, placeholder: 'Toutes les demandes',
      options: Object.entries(REQUEST_KINDS).map(([k, v]) => [k, v.plural]),
    });
    const statusSel = selectField({ name: 'status', label: 'Statut', value: status, placeholder: 'Tous les statuts', options: statusOptions(kind) });
    kindSel.querySelector('select').addEventListener('change', (ev) => {
      const s = statusSel.querySelector('select');
      const keep = s.value;
      replace(s, h('option', { value: '' }, 'Tous les statuts'),
        statusOptions(ev.target.value).map((o) => (Array.isArray(o)
          ? h('option', { value: o[0] }, o[1])
          : h('optgroup', { label: o.group }, o.options.map(([v, l]) => h('option', { value: v }, l))))));
      s.value = [...s.options].some((o) => o.value === keep) ? keep : '';
    });
    const filters = h('form', { class: 'filters', role: 'search', 'aria-label': 'Filtrer mes demandes', novalidate: true,
      onsubmit: (ev) => {
        ev.preventDefault();
        const f = ev.target;
        navigate('/app/espace/demandes' + qs({ kind: f.kind.value, status: f.status.value, overdue: f.overdue.checked }));
      } },
    kindSel, statusSel,
    checkboxField({ name: 'overdue', label: 'En retard uniquement', checked: overdue }),
    h('div', { class: 'field' }, h('button', { type: 'submit' }, 'Filtrer')));

    const table = h('table', { class: 'list' },
      h('caption', {}, 'Les demandes de votre organisation, les plus récentes en premier'),
      h('thead', {}, h('tr', {}, ['Référence', 'Type', 'Personne', 'Objet', 'Statut', 'Échéance', 'Reçue le']
        .map((t) => h('th', { scope: 'col' }, t)))),
      h('tbody', {}, items.map((d) => h('tr', { class: (d.deadlines || []).some((x) => x.state === 'breached') ? 'breached' : null },
        h('th', { scope: 'row', 'data-label': 'Référence' }, h('a', { href: requestPage(d.kind, d.id) }, d.reference)),
        h('td', { 'data-label': 'Type' }, REQUEST_KINDS[d.kind] ? REQUEST_KINDS[d.kind].label : d.kind),
        h('td', { 'data-label': 'Personne' }, person(d.person)),
        h('td', { 'data-label': 'Objet' }, subject(d)),
        h('td', { 'data-label': 'Statut' }, badge(statusLabel(d.kind, d.status), FINAL.has(d.status) ? 'ok' : null)),
        h('td', { 'data-label': 'Échéance' }, echeanceCell(d.deadlines)),
        h('td', { 'data-label': 'Reçue le' }, formatInstant(d.received_at || d.created_at))))));

    replace(main, h('h1', {}, 'Mes demandes'),
      h('p', {}, 'Déposer : ',
        h('a', { href: '/app/espace/nouveau-dossier' }, 'Nouveau dossier'), ', ',
        h('a', { href: '/app/espace/nouveau-signalement' }, 'Nouveau signalement'), ', ',
        h('a', { href: '/app/espace/demande-rendez-vous' }, 'Demande de rendez-vous'), ', ',
        h('a', { href: '/app/espace/demande-document' }, 'Demande de document'), '.'),
      filters,
      items.length ? h('div', { class: 'table-wrap' }, table)
        : h('p', {}, cursor ? 'Aucune autre demande.' : 'Aucune demande ne correspond à ces critères.'),
      pager('/app/espace/demandes', chosen, cursor, list.json.next_cursor));
  },
});

// ---- the page of one request -------------------------------------------------------

function facts(pairs) {
  return h('dl', { class: 'facts' }, pairs.filter(Boolean).flatMap(([k, v]) => [h('dt', {}, k), h('dd', {}, v === null || v === undefined || v === '' ? '—' : v)]));
}

function section(title, ...content) {
  const id = `s-${title.toLowerCase().normalize('NFD').replace(/[^a-z0-9]+/g, '-')}`;
  return h('section', { 'aria-labelledby': id }, h('h2', { id }, title), ...content);
}

function deadlinesTable(ds) {
  if (!ds || !ds.length) return h('p', {}, 'Aucun délai ne court pour cette demande.');
  return h('div', { class: 'table-wrap' }, h('table', { class: 'list' },
    h('caption', {}, 'Délais de traitement'),
    h('thead', {}, h('tr', {}, ['Délai', 'Échéance', 'État'].map((t) => h('th', { scope: 'col' }, t)))),
    h('tbody', {}, ds.map((d) => h('tr', { class: d.state === 'breached' ? 'breached' : null },
      h('th', { scope: 'row', 'data-label': 'Délai' }, label(CLOCKS, d.clock)),
      h('td', { 'data-label': 'Échéance' }, formatInstant(d.due_at), d.suspended_days ? ` (dont ${d.suspended_days} jour(s) de suspension)` : ''),
      h('td', { 'data-label': 'État' }, d.state === 'breached' ? badge('Délai dépassé', 'danger')
        : d.in_warning && typeof d.days_left === 'number' ? badge(`J-${d.days_left}`, 'warning')
          : label(CLOCK_STATES, d.state)))))));
}

function actorWords(a) {
  if (!a) return '';
  if (a.role === 'instructor') return `la caisse${a.caisse ? ` (${a.caisse})` : ''}`;
  if (a.role === 'partner') return 'votre organisation';
  if (a.role === 'worker' || a.role === 'system') return 'epart';
  return a.role || '';
}

function historyList(kind, events) {
  if (!events || !events.length) return h('p', {}, 'La demande vient d’être reçue ; son historique apparaîtra dans un instant.');
  return h('ol', { class: 'timeline' }, events.map((e) => h('li', {},
    h('p', {}, h('strong', {}, formatInstant(e.at)), ' — ',
      e.from ? `${statusLabel(kind, e.from)} → ${statusLabel(kind, e.to)}` : statusLabel(kind, e.to),
      e.actor ? `, par ${actorWords(e.actor)}` : ''),
    e.detail && (e.detail.comment || e.detail.message || e.detail.reason || e.detail.motif)
      ? h('p', { class: 'small' }, e.detail.comment || e.detail.message || e.detail.reason || e.detail.motif) : null)));
}

function piecesList(pieces) {
  if (!pieces || !pieces.length) return h('p', {}, 'Aucune pièce décrite.');
  return h('ul', {}, pieces.map((p) => h('li', {}, `${label(PIECES, p.kind)} — ${p.filename || ''}`)));
}

function preInstruction(d) {
  const pi = d.pre_instruction;
  if (!pi) return h('p', {}, d.status === 'depose' ? 'La pré-instruction sera faite quand le dossier sera transmis à la caisse.' : 'La pré-instruction est en cours ; son résultat apparaîtra dans un instant.');
  const missing = pi.missing_pieces || [];
  return [
    pi.complete ? notice('Dossier complet : toutes les pièces requises sont décrites.', 'success')
      : notice(`Dossier incomplet : ${missing.length ? `pièces manquantes : ${missing.map((m) => label(PIECES, m)).join(', ')}.` : 'voir les vérifications ci-dessous.'}`, 'warning'),
    (pi.checks || []).length ? h('ul', { class: 'checks' }, pi.checks.map((c) => h('li', {},
      badge(c.ok ? 'Conforme' : 'À revoir', c.ok ? 'ok' : 'warning'), ' ', c.detail || c.code))) : null,
  ];
}

function decisionBlock(d) {
  const dec = d.decision;
  if (!dec) return null;
  const r = d.rights;
  return section('Décision et droits',
    facts([
      ['Décision', dec.decision === 'accord' ? 'Accord' : 'Refus'],
      ['Date de la décision', formatDate(d.decided_on)],
      dec.motif ? ['Motif', dec.motif] : null,
      r ? ['Droits ouverts', r.end ? `du ${formatDate(r.start)} au ${formatDate(r.end)}` : `à partir du ${formatDate(r.start)}, sans terme`] : ['Droits ouverts', 'aucun'],
      r && r.retroactive ? ['Rétroactivité', 'Oui, les droits commencent avant la réception de la demande'] : null,
    ]));
}

async function printAttestation(id, button) {
  // The attestation is the API's own printable page (GET …/attestation-depot).
  // It needs the bearer token, which must never go into an address that a log
  // or the history keeps: it is fetched here, then opened from a blob the
  // browser holds in memory, and printed. The page has no style sheet and no
  // script of its own, so the application's CSP, which a blob inherits, leaves
  // it whole.
  const status = button.parentElement.querySelector('.print-status');
  replace(status);
  const w = window.open('', '_blank');
  try {
    const r = await api('GET', `/v1/dossiers/${encodeURIComponent(id)}/attestation-depot`, { accept: 'text/html' });
    const url = URL.createObjectURL(new Blob([r.text], { type: 'text/html' }));
    setTimeout(() => URL.revokeObjectURL(url), 120000);
    if (!w) {
      replace(status, h('a', { href: url, target: '_blank', rel: 'noopener' }, 'Ouvrir l’attestation de dépôt pour l’imprimer'));
      return;
    }
    w.location.href = url;
    const end = Date.now() + 10000;
    const timer = setInterval(() => {
      let loaded = false;
      try { loaded = w.location.protocol === 'blob:' && w.document.readyState === 'complete'; } catch { loaded = false; }
      if (loaded || w.closed || Date.now() > end) {
        clearInterval(timer);
        if (loaded) { w.focus(); w.print(); }
      }
    }, 100);
  } catch (e) {
    if (w) w.close();
    replace(status, notice(e.message || 'L’attestation n’a pas pu être obtenue.', 'error'));
  }
}

function depositBlock(d, rerender) {
  const key = newKey();
  const printBtn = h('button', { type: 'button', class: 'button-secondary', onclick: (ev) => printAttestation(d.id, ev.currentTarget) }, 'Imprimer l’attestation de dépôt');
  const out = h('div', { role: 'status', class: 'transmit-status' });
  let busy = false;
  const transmitBtn = h('button', {
    type: 'button',
    onclick: async () => {
      if (busy) return;
      busy = true;
      transmitBtn.setAttribute('aria-disabled', 'true');
      replace(out, h('p', {}, 'Transmission en cours…'));
      try {
        await post(`/v1/dossiers/${encodeURIComponent(d.id)}/transmit`, undefined, { headers: { 'Idempotency-Key': key } });
        replace(out, notice('Dossier transmis à la caisse.', 'success'));
        await waitUntil(() => get(`/v1/dossiers/${encodeURIComponent(d.id)}`).then((r) => r.json.status !== 'depose'));
        rerender('Dossier transmis à la caisse.');
      } catch (e) {
        replace(out, notice(e.status === 0 ? 'Le serveur n’a pas répondu : réessayez, le dossier ne sera pas transmis deux fois.' : e.message, 'error'));
      } finally {
        busy = false;
        transmitBtn.removeAttribute('aria-disabled');
      }
    },
  }, 'Transmettre à la caisse');
  return section('Dépôt',
    h('p', {}, 'Ce dossier est déposé auprès de votre organisation et n’a pas encore été transmis à la caisse. ',
      'Imprimez l’attestation de dépôt pour la personne, puis transmettez le dossier.'),
    h('div', { class: 'actions' }, printBtn, transmitBtn, h('span', { class: 'print-status' })), out);
}

async function waitUntil(fn, timeout = 8000) {
  const end = Date.now() + timeout;
  while (Date.now() < end) {
    if (await fn()) return true;
    await new Promise((r) => setTimeout(r, 300));
  }
  return false;
}

function piecesAnswer(d, rerender) {
  const req = d.pieces_requested || {};
  const editor = piecesEditor({ name: 'pieces', legend: 'Pièces envoyées', initialKinds: req.pieces || [] });
  const form = h('form', { id: 'form-pieces', novalidate: true },
    editor.el, h('div', { class: 'actions' }, h('button', { type: 'submit' }, 'Envoyer les pièces')));
  onSubmit(form, {
    check: () => editor.problems(),
    send: async (key) => {
      const pieces = await editor.value();
      return post(`/v1/dossiers/${encodeURIComponent(d.id)}/pieces`, { pieces }, { headers: { 'Idempotency-Key': key } });
    },
    onDone: async () => {
      await waitUntil(() => get(`/v1/dossiers/${encodeURIComponent(d.id)}`).then((r) => r.json.status !== 'pieces_demandees'));
      rerender('Pièces envoyées : le dossier reprend son instruction.');
    },
  });
  return section('Pièces demandées',
    notice('La caisse demande des pièces pour instruire ce dossier ; le délai d’instruction est suspendu jusqu’à leur réception.', 'warning'),
    facts([
      ['Pièces demandées', (req.pieces || []).map((p) => label(PIECES, p)).join(', ')],
      ['Message de la caisse', req.message || ''],
      ['Demandées le', formatDate(req.requested_on)],
    ]),
    form);
}

async function messagesBlock(d) {
  const path = `/v1/dossiers/${encodeURIComponent(d.id)}/messages`;
  const list = h('ol', { class: 'thread', 'aria-label': 'Messages échangés' });
  async function load() {
    const r = await get(path + qs({ limit: 500 }));
    const items = r.json.items || [];
    replace(list, items.length ? items.map((m) => {
      const mine = m.author && m.author.role === 'partner';
      return h('li', { class: mine ? 'mine' : null },
        h('p', { class: 'meta' }, h('strong', {}, mine ? 'Votre organisation' : 'La caisse'), ` — ${formatInstant(m.sent_at)}`),
        h('p', { class: 'body' }, m.body));
    }) : h('li', {}, 'Aucun message pour l’instant.'));
    return items.length;
  }
  const count = await load();
  const form = h('form', { id: 'form-message', novalidate: true },
    textField({ name: 'body', label: 'Votre message à la caisse', type: 'textarea', hint: 'Sans données personnelles inutiles : la caisse voit déjà le dossier.' }),
    h('div', { class: 'actions' }, h('button', { type: 'submit' }, 'Envoyer le message')));
  let known = count;
  onSubmit(form, {
    check: () => (form.body.value.trim() ? [] : [{ field: 'body', message: 'Écrivez votre message avant de l’envoyer.' }]),
    send: (key) => post(path, { body: form.body.value }, { headers: { 'Idempotency-Key': key } }),
    onDone: async () => {
      form.body.value = '';
      await waitUntil(async () => (await load()) > known);
      known = list.children.length;
      const s = form.querySelector('.form-status');
      replace(s, h('p', {}, 'Message envoyé.'));
    },
  });
  return section('Messages', list, form);
}

function personFacts(p) {
  if (!p) return null;
  if (p.purged) return h('p', {}, 'Les données personnelles de cette demande ont été effacées (durée de conservation écoulée).');
  return facts([
    ['Nom', p.last_name], ['Prénom(s)', (p.first_names || []).join(' ')],
    ['Date de naissance', formatDate(p.birth_date)], p.sex ? ['Sexe', label(SEXES, p.sex)] : null,
    p.phone ? ['Téléphone', p.phone] : null, p.email ? ['Courriel', p.email] : null,
    p.address ? ['Adresse', `${p.address.line || ''}, ${p.address.postal_code || ''} ${p.address.city || ''}`] : null,
    p.domiciliation ? ['Domiciliation', `${p.domiciliation.organisme || ''} (depuis le ${formatDate(p.domiciliation.since)})`] : null,
  ]);
}

async function renderRequest(main, params, flash) {
  const kind = params.kind;
  const k = REQUEST_KINDS[kind];
  if (!k) {
    replace(main, h('h1', {}, 'Demande introuvable'), h('p', {}, 'Cette adresse ne correspond à aucune demande.'));
    return;
  }
  let d;
  try {
    d = (await get(`${k.api}/${encodeURIComponent(params.id)}`)).json;
  } catch (e) {
    if (e.status === 404) {
      replace(main, h('h1', {}, 'Demande introuvable'),
        h('p', {}, 'Cette demande n’existe pas ou n’appartient pas à votre organisation.'),
        h('p', {}, h('a', { href: '/app/espace/demandes' }, 'Revenir à mes demandes')));
      return;
    }
    throw e;
  }
  document.title = `${d.reference} — epart`;
  const rerender = async (msg) => {
    await renderRequest(main, params, msg);
    const h1 = main.querySelector('h1');
    if (h1) { h1.setAttribute('tabindex', '-1'); h1.focus(); }
  };
  const who = d.applicant || d.person;
  const parts = [
    h('h1', {}, d.reference),
    h('p', { class: 'muted' }, h('a', { href: '/app/espace/demandes' }, 'Mes demandes'), ` › ${k.label}`),
    flash ? notice(flash, 'success') : null,
    d.queued ? notice('Demande reçue : elle est en cours d’enregistrement, son historique et ses délais apparaîtront dans un instant.', 'info') : null,
    section('Statut', facts([
      ['Type', kind === 'dossier' ? `${k.label} ${label(PRESTATIONS, d.prestation)}${d.first_request ? ' (première demande)' : ''}` : k.label],
      ['Statut', badge(statusLabel(kind, d.status), FINAL.has(d.status) ? 'ok' : null)],
      ['Reçue le', formatInstant(d.received_at || d.created_at)],
      kind === 'dossier' && d.deposited_on ? ['Déposé le', formatDate(d.deposited_on)] : null,
      kind === 'dossier' && d.deposit_date ? ['Date de dépôt retenue', formatDate(d.deposit_date)] : null,
      ['Prochaine échéance', echeanceCell(d.deadlines)],
    ])),
  ];
  if (kind === 'dossier' && d.status === 'depose') parts.push(depositBlock(d, rerender));
  if (kind === 'dossier' && d.status === 'pieces_demandees') parts.push(piecesAnswer(d, rerender));
  if (kind === 'dossier') parts.push(decisionBlock(d));
  parts.push(section('Échéances', deadlinesTable(d.deadlines)));
  if (kind === 'dossier') parts.push(section('Pré-instruction', preInstruction(d)));
  parts.push(section(kind === 'dossier' ? 'Demandeur' : 'Personne', personFacts(who)));
  if (kind === 'dossier') parts.push(section('Pièces', piecesList(d.pieces)));
  if (kind === 'signalement') {
    const names = await parcoursLabels();
    parts.push(section('Signalement', facts([
      ['Parcours', names.get(d.parcours) || d.parcours],
      ['Raisons', (d.reasons || []).map((r) => label(SIGNALEMENT_REASONS, r)).join(', ')],
      d.comment ? ['Commentaire', d.comment] : null,
    ])));
  }
  if (kind === 'rendez_vous') {
    parts.push(section('Rendez-vous', facts([
      ['Lieu', d.site], ['Motif', d.reason],
      ['Disponibilités', (d.availability || []).map((a) => (typeof a === 'string' ? a : `${formatInstant(a.from)} – ${formatInstant(a.to)}`)).join(' ; ')],
    ])));
  }
  if (kind === 'demande_document') {
    parts.push(section('Document', facts([['Document', label(DOCUMENTS, d.document)], ['Envoi', label(CHANNELS, d.channel)]])));
  }
  parts.push(section('Historique', historyList(kind, d.history)));
  if (kind === 'dossier') parts.push(await messagesBlock(d));
  replace(main, ...parts);
}

route({
  path: '/app/espace/demandes/:kind/:id',
  roles: ['partner'],
  title: 'Demande',
  render: (main, params) => renderRequest(main, params),
});
