// dossier.js — the page of one dossier (SPEC §12), headed by its reference:
// "Demandeur", "Situation", "Pièces", "Pré-instruction", "Droits proposés"
// (the rights simulation, every check in words), "Échéances", "Historique" (a
// timeline), "Messages" (the thread and a form). The actions "Commencer
// l'instruction", "Demander des pièces", "Décider", "Classer sans suite" are
// shown only when the status allows them; each is sent with If-Match, and a 412
// (someone else changed the dossier meanwhile) says so and offers to reload.

import { h, replace, notice, formatInstant, formatDate } from '../dom.js';
import { route, navigate, render as rerender } from '../router.js';
import { get, post, ApiError } from '../api.js';
import { PRESTATIONS, DOSSIER_STATUSES, PIECES, CLOCKS, CLOCK_STATES, label } from '../labels.js';
import { orgNames } from '../orgs.js';
import { around } from '../listnav.js';
import { checkSentence, historyLine, authorLabel, fieldErrors } from '../explain.js';
import { deadlinesTable } from '../deadlines.js';

const FINAL = new Set(['accorde', 'refuse', 'sans_suite']);

function yesNo(v) {
  return v === true ? 'Oui' : v === false ? 'Non' : '—';
}

function facts(pairs) {
  return h('dl', { class: 'facts' }, pairs.filter(Boolean).map(([k, v]) => [h('dt', {}, k), h('dd', {}, v === null || v === undefined || v === '' ? '—' : v)]));
}

function section(id, title, ...content) {
  return h('section', { class: 'panel', 'aria-labelledby': id }, h('h2', { id }, title), ...content);
}

function applicantSection(a) {
  a = a || {};
  const addr = a.address || {};
  const dom = a.domiciliation || null;
  return section('demandeur', 'Demandeur', facts([
    ['Nom', a.last_name],
    ['Prénoms', (a.first_names || []).join(' ')],
    ['Date de naissance', formatDate(a.birth_date)],
    ['Sexe', a.sex === 'F' ? 'Femme' : a.sex === 'M' ? 'Homme' : a.sex],
    ['NIR', a.nir],
    ['Téléphone', a.phone],
    ['Courriel', a.email],
    ['Adresse', [addr.line, [addr.postal_code, addr.city].filter(Boolean).join(' ')].filter(Boolean).join(', ')],
    dom ? ['Domiciliation', `${dom.organisme || '—'} depuis le ${formatDate(dom.since)}`] : null,
    ['Langue', a.language],
    ['Interprète nécessaire', yesNo(a.interpreter_needed)],
  ]));
}

function situationSection(d) {
  const s = d.situation || {};
  const hosp = s.hospitalization || null;
  return section('situation', 'Situation', facts([
    ['Prestation', label(PRESTATIONS, d.prestation)],
    ['Première demande', yesNo(d.first_request)],
    ['Déposé le (par le partenaire)', formatDate(d.deposited_on)],
    ['Reçu par la caisse le', formatDate(d.received_on)],
    ['Date de dépôt retenue', formatDate(d.deposit_date)],
    s.puma_criterion ? ['Critère PUMa', s.puma_criterion === 'residence' ? 'Résidence stable' : s.puma_criterion === 'activite' ? 'Activité professionnelle' : s.puma_criterion] : null,
    'residence_since' in s ? ['Réside en France depuis', formatDate(s.residence_since)] : null,
    'regular_stay' in s ? ['Séjour régulier', yesNo(s.regular_stay)] : null,
    'irregular_since' in s ? ['En situation irrégulière depuis', formatDate(s.irregular_since)] : null,
    'activity_start' in s ? ["Début d'activité", formatDate(s.activity_start)] : null,
    'resources_under_ceiling' in s ? ['Ressources sous le plafond', yesNo(s.resources_under_ceiling)] : null,
    'urgent_care_needed' in s ? ['Soins urgents nécessaires', yesNo(s.urgent_care_needed)] : null,
    'precarious' in s ? ['Situation de précarité', yesNo(s.precarious)] : null,
    'puma_start' in s ? ['Droits PUMa depuis', formatDate(s.puma_start)] : null,
    hosp ? ['Hospitalisation', `admis le ${formatDate(hosp.admitted_on)}${hosp.discharged_on ? `, sorti le ${formatDate(hosp.discharged_on)}` : ', toujours hospitalisé'}`] : null,
    s.care_dates && s.care_dates.length ? ['Dates de soins', s.care_dates.map(formatDate).join(', ')] : null,
    ['Consentement recueilli le', formatDate(d.consent && d.consent.obtained_on)],
  ]));
}

function piecesSection(d) {
  const pieces = d.pieces || [];
  return section('pieces', 'Pièces',
    pieces.length ? h('ul', {}, pieces.map((p) => h('li', {}, `${label(PIECES, p.kind)} — ${p.filename || 'sans nom'}${p.size ? ` (${Math.round(p.size / 1024)} Ko)` : ''}`)))
      : h('p', {}, 'Aucune pièce.'),
    d.pieces_requested && d.status === 'pieces_demandees' ? h('div', { class: 'notice notice-warning' },
      h('p', {}, `Pièces demandées au partenaire le ${formatDate(d.pieces_requested.requested_on)} : ${(d.pieces_requested.pieces || []).map((k) => label(PIECES, k)).join(', ')}.`),
      d.pieces_requested.message ? h('p', {}, `Message : ${d.pieces_requested.message}`) : null) : null);
}

function checksList(checks) {
  return h('ul', { class: 'checks' }, (checks || []).map((c) => h('li', {},
    h('span', { class: ['badge', c.ok ? 'badge-ok' : 'badge-danger'] }, c.ok ? 'Rempli' : 'Non rempli'), ' ', checkSentence(c))));
}

function preInstructionSection(d) {
  const p = d.pre_instruction;
  if (!p) return section('pre-instruction', 'Pré-instruction', h('p', {}, "La pré-instruction n'a pas encore été faite (le dossier vient d'arriver)."));
  return section('pre-instruction', 'Pré-instruction',
    h('p', {}, p.complete ? h('span', { class: 'badge badge-ok' }, 'Dossier complet') : h('span', { class: 'badge badge-warning' }, 'Dossier incomplet')),
    p.missing_pieces && p.missing_pieces.length ? h('p', {}, `Pièces manquantes : ${p.missing_pieces.map((k) => label(PIECES, k)).join(', ')}.`) : null,
    checksList(p.checks));
}

function rightsText(sim) {
  if (!sim) return '—';
  if (!sim.eligible) return 'Pas de droits : conditions non remplies.';
  return `Du ${formatDate(sim.start)}${sim.end ? ` au ${formatDate(sim.end)}` : ' (sans terme)'}${sim.retroactive ? ', avec effet rétroactif' : ''}.`;
}

function rightsSection(d, sim, simError) {
  const decided = d.decision;
  const parts = [];
  if (decided) {
    parts.push(h('h3', {}, 'Décision'),
      facts([
        ['Décision', decided.decision === 'accord' ? 'Accord' : 'Refus'],
        ['Motif', decided.motif],
        ['Décidé le', formatDate(d.decided_on)],
        ['Contraire à la simulation', decided.override ? 'Oui' : 'Non'],
        ['Droits ouverts', d.rights ? `Du ${formatDate(d.rights.start)}${d.rights.end ? ` au ${formatDate(d.rights.end)}` : ' (sans terme)'}` : 'Aucun'],
      ]),
      h('h3', {}, 'Simulation gardée avec la décision'));
  }
  if (simError) parts.push(notice(`La simulation n'a pas pu être calculée : ${simError}`, 'warning'));
  if (sim) {
    parts.push(
      h('p', { id: 'droits-resume' }, h('strong', {}, sim.eligible ? 'Éligible. ' : 'Non éligible. '), rightsText(sim)),
      sim.fallback ? h('p', {}, `À défaut : soins urgents seulement, à partir du ${formatDate(sim.fallback.start)}.`) : null,
      h('h3', {}, 'Les vérifications, une par une'),
      checksList(sim.checks));
  }
  return section('droits-proposes', 'Droits proposés', ...parts);
}

function historySection(d) {
  const events = d.history || [];
  return section('historique', 'Historique',
    events.length ? h('ol', { class: 'timeline' }, events.map((e) => h('li', {},
      h('p', { class: 'meta' }, h('time', { datetime: e.at }, formatInstant(e.at)), ' — ', authorLabel(e.actor)),
      h('p', {}, historyLine(e, DOSSIER_STATUSES)))))
      : h('p', {}, 'Aucun événement.'));
}

async function messagesSection(d) {
  let items = [];
  let err = null;
  try {
    items = (await get(`/v1/dossiers/${d.id}/messages?limit=500`)).json.items;
  } catch (e) {
    err = e.message;
  }
  const list = h('ol', { class: 'thread', id: 'fil-messages' }, items.map(messageItem));
  const status = h('div', { role: 'status', 'aria-live': 'polite' });
  const body = h('textarea', { id: 'message-body', name: 'body', rows: '4', maxlength: '4000' });
  const errBox = h('p', { id: 'message-erreur', class: 'field-error', hidden: true });
  const form = h('form', { novalidate: true, 'aria-labelledby': 'ecrire' }, h('h3', { id: 'ecrire' }, 'Écrire au partenaire'),
    h('div', { class: 'field' }, h('label', { for: 'message-body' }, 'Message'), body, errBox),
    h('button', { type: 'submit' }, 'Envoyer le message'));
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const text = body.value.trim();
    if (!text) {
      errBox.hidden = false; errBox.textContent = 'Écrivez un message avant de l’envoyer.';
      body.setAttribute('aria-invalid', 'true'); body.setAttribute('aria-describedby', 'message-erreur'); body.focus();
      return;
    }
    errBox.hidden = true; body.removeAttribute('aria-invalid'); body.removeAttribute('aria-describedby');
    try {
      await post(`/v1/dossiers/${d.id}/messages`, { body: text });
      body.value = '';
      replace(status, notice('Message envoyé. Il apparaît dans le fil dès son enregistrement.', 'success'));
      // messages go through the queue (202): show the thread once it is there
      for (let i = 0; i < 40; i++) {
        await new Promise((r) => setTimeout(r, 250));
        const now = (await get(`/v1/dossiers/${d.id}/messages?limit=500`)).json.items;
        if (now.length > items.length) { items = now; replace(list, now.map(messageItem)); break; }
      }
    } catch (e) {
      replace(status, notice(`Le message n'a pas été envoyé : ${e.message}`, 'error'));
    }
  });
  return section('messages', 'Messages',
    err ? notice(`Les messages n'ont pas pu être lus : ${err}`, 'error') : null,
    items.length ? null : h('p', { id: 'aucun-message' }, 'Aucun message pour le moment.'),
    list, status, form);
}

function messageItem(m) {
  return h('li', {}, h('p', { class: 'meta' }, authorLabel(m.author), ' — ', h('time', { datetime: m.sent_at }, formatInstant(m.sent_at))),
    h('p', { class: 'body' }, m.body));
}

// ---- actions -----------------------------------------------------------------

function actionsSection(d, ctx) {
  const status = h('div', { id: 'action-status', role: 'status', 'aria-live': 'polite', tabindex: '-1' });
  const parts = [];
  if (d.status === 'recu') {
    parts.push(h('div', { class: 'actions' }, h('button', { type: 'button', id: 'action-start',
      onclick: () => act(d, { action: 'start_instruction' }, status, ctx) }, "Commencer l'instruction")));
  }
  if (d.status === 'en_instruction') {
    parts.push(piecesForm(d, status, ctx), decideForm(d, status, ctx));
  }
  if (!FINAL.has(d.status) && d.status !== 'depose') {
    parts.push(closeForm(d, status, ctx));
  }
  if (!parts.length) {
    parts.push(h('p', {}, FINAL.has(d.status) ? `Ce dossier est clos (${label(DOSSIER_STATUSES, d.status)}) : aucune action possible.`
      : d.status === 'pieces_demandees' ? 'En attente des pièces du partenaire.' : "Ce dépôt n'a pas encore été transmis à la caisse par le partenaire."));
    if (d.status === 'pieces_demandees') parts.push(closeForm(d, status, ctx));
  }
  return section('actions', 'Actions', status, ...parts);
}

function piecesForm(d, status, ctx) {
  const kinds = Object.entries(PIECES);
  const missing = new Set((d.pre_instruction && d.pre_instruction.missing_pieces) || []);
  const msg = h('textarea', { id: 'pieces-message', name: 'message', rows: '3' });
  const form = h('form', { novalidate: true, 'aria-labelledby': 'titre-pieces', id: 'form-pieces' },
    h('h3', { id: 'titre-pieces' }, 'Demander des pièces au partenaire'),
    h('fieldset', { id: 'pieces-choix', 'aria-describedby': 'pieces-erreur' }, h('legend', {}, 'Pièces à demander'),
      kinds.map(([k, v]) => h('div', {}, h('label', { class: 'check', for: `piece-${k}` },
        h('input', { type: 'checkbox', id: `piece-${k}`, name: 'pieces', value: k, checked: missing.has(k) }), v))),
      h('p', { id: 'pieces-erreur', class: 'field-error', hidden: true })),
    h('div', { class: 'field' }, h('label', { for: 'pieces-message' }, 'Message au partenaire'), msg),
    h('button', { type: 'submit' }, 'Demander des pièces'));
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    const pieces = [...form.querySelectorAll('input[name=pieces]:checked')].map((b) => b.value);
    const err = form.querySelector('#pieces-erreur');
    if (!pieces.length) {
      err.hidden = false; err.textContent = 'Cochez au moins une pièce à demander.';
      form.querySelector('input[name=pieces]').focus();
      return;
    }
    err.hidden = true;
    const body = { action: 'request_pieces', pieces };
    if (msg.value.trim()) body.message = msg.value.trim();
    act(d, body, status, ctx, form);
  });
  return form;
}

function decideForm(d, status, ctx) {
  const sim = ctx.sim;
  const eligible = sim ? sim.eligible : true;
  const motif = h('textarea', { id: 'decision-motif', name: 'motif', rows: '3' });
  const start = h('input', { type: 'date', id: 'droits-debut', name: 'start' });
  const end = h('input', { type: 'date', id: 'droits-fin', name: 'end' });
  const override = h('div', { id: 'droits-explicites', hidden: true },
    h('p', { class: 'hint' }, 'La simulation ne trouve pas de droits : un accord demande un motif et des dates de droits explicites.'),
    h('div', { class: 'field' }, h('label', { for: 'droits-debut' }, 'Début des droits'), start),
    h('div', { class: 'field' }, h('label', { for: 'droits-fin' }, 'Fin des droits'), end));
  const radio = (value, text, checked) => h('div', {}, h('label', { class: 'check', for: `decision-${value}` },
    h('input', { type: 'radio', name: 'decision', id: `decision-${value}`, value, checked,
      onchange: () => { override.hidden = !(value === 'accord' && !eligible); } }), text));
  const form = h('form', { novalidate: true, 'aria-labelledby': 'titre-decider', id: 'form-decider' },
    h('h3', { id: 'titre-decider' }, 'Décider'),
    h('p', { class: 'hint' }, sim ? `Proposition de la simulation : ${eligible ? 'accord' : 'refus'}. ${rightsText(sim)}` : ''),
    h('fieldset', {}, h('legend', {}, 'Décision'), radio('accord', 'Accord', eligible), radio('refus', 'Refus', !eligible)),
    override,
    h('div', { class: 'field' }, h('label', { for: 'decision-motif' }, 'Motif'), motif),
    h('button', { type: 'submit' }, 'Décider'));
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    const decision = form.querySelector('input[name=decision]:checked')?.value || 'refus';
    const body = { action: 'decide', decision };
    if (motif.value.trim()) body.motif = motif.value.trim();
    if (decision === 'accord' && !eligible) body.rights = { start: start.value || null, end: end.value || null };
    act(d, body, status, ctx, form);
  });
  if (!eligible) override.hidden = true;
  return form;
}

function closeForm(d, status, ctx) {
  const reason = h('textarea', { id: 'close-reason', name: 'reason', rows: '2' });
  const form = h('form', { novalidate: true, 'aria-labelledby': 'titre-classer', id: 'form-classer' },
    h('h3', { id: 'titre-classer' }, 'Classer sans suite'),
    h('div', { class: 'field' }, h('label', { for: 'close-reason' }, 'Raison du classement'), reason,
      h('p', { id: 'close-erreur', class: 'field-error', hidden: true })),
    h('button', { type: 'submit', class: 'button-danger' }, 'Classer sans suite'));
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    const text = reason.value.trim();
    const err = form.querySelector('#close-erreur');
    if (!text) {
      err.hidden = false;
      err.textContent = 'Indiquez la raison du classement sans suite.';
      reason.setAttribute('aria-invalid', 'true');
      reason.setAttribute('aria-describedby', 'close-erreur');
      reason.focus();
      return;
    }
    err.hidden = true;
    reason.removeAttribute('aria-invalid');
    act(d, { action: 'close', reason: text }, status, ctx, form);
  });
  return form;
}

async function act(d, body, status, ctx, form) {
  const buttons = [...document.querySelectorAll('#actions button')];
  buttons.forEach((b) => { b.disabled = true; });
  try {
    await post(`/v1/dossiers/${d.id}/transitions`, body, { headers: { 'If-Match': `"${d.version}"` } });
    pageState.flash = { text: `Fait : ${actionDone(body)}.`, kind: 'success' };
    history.replaceState({ keepFocus: true }, '', window.location.pathname + window.location.search);
    await rerender();
    const s = document.getElementById('action-status');
    if (s) s.focus();
  } catch (e) {
    buttons.forEach((b) => { b.disabled = false; });
    if (e instanceof ApiError && e.status === 412) {
      replace(status, notice("Quelqu'un d'autre a modifié ce dossier pendant que vous le consultiez : votre action n'a pas été enregistrée.", 'error',
        h('button', { type: 'button', id: 'recharger', onclick: () => { history.replaceState(null, '', window.location.pathname); rerender(); } }, 'Recharger le dossier')));
    } else if (e instanceof ApiError && e.status === 422 && form) {
      fieldErrors(form, e.problem, status);
    } else if (e instanceof ApiError && e.status === 409) {
      replace(status, notice(`Action impossible dans le statut actuel : ${e.message}`, 'error',
        h('button', { type: 'button', onclick: () => rerender() }, 'Recharger le dossier')));
    } else {
      replace(status, notice(`L'action a échoué : ${e.message}`, 'error'));
    }
    status.focus();
  }
}

function actionDone(body) {
  switch (body.action) {
    case 'start_instruction': return 'instruction commencée';
    case 'request_pieces': return 'pièces demandées au partenaire';
    case 'decide': return body.decision === 'accord' ? 'accord enregistré' : 'refus enregistré';
    case 'close': return 'dossier classé sans suite';
    default: return body.action;
  }
}

// ---- the page -------------------------------------------------------------------

const pageState = { flash: null };

route({
  path: '/app/dossiers/:id',
  roles: ['instructor', 'admin'],
  title: 'Dossier',
  async render(main, params) {
    let r;
    try {
      r = await get(`/v1/dossiers/${encodeURIComponent(params.id)}`);
    } catch (e) {
      if (e.status === 404 || e.status === 422) {
        replace(main, h('h1', {}, 'Dossier introuvable'), h('p', {}, "Aucun dossier de votre périmètre ne porte cet identifiant."),
          h('p', {}, h('a', { href: '/app/' }, 'Revenir aux dossiers à instruire')));
        return;
      }
      throw e;
    }
    const d = r.json;
    if (r.etag) d.version = Number(String(r.etag).replace(/"/g, '')) || d.version;
    document.title = `Dossier ${d.reference} — epart`;
    const names = await orgNames();
    let sim = d.simulation || null;
    let simError = null;
    if (!d.decision) {
      try {
        sim = (await post('/v1/droits/simulation', {
          prestation: d.prestation, received_on: d.received_on || undefined,
          deposited_on: d.deposit_date || undefined, situation: d.situation || {},
        })).json;
      } catch (e) {
        simError = e.message;
        sim = (d.pre_instruction && d.pre_instruction.proposal) || null;
      }
    }
    const ctx = { sim };
    const nav = around(d.id);
    const flash = pageState.flash;
    pageState.flash = null;
    const messages = await messagesSection(d);
    replace(main,
      h('p', { class: 'muted' }, h('a', { href: nav ? nav.href : '/app/' }, '← Dossiers à instruire')),
      h('h1', {}, d.reference),
      h('p', {}, h('span', { class: 'badge', id: 'statut' }, `Statut : ${label(DOSSIER_STATUSES, d.status)}`), ' ',
        `${label(PRESTATIONS, d.prestation)} — ${names.get(d.org) || 'Partenaire inconnu'}`),
      flash ? notice(flash.text, flash.kind) : null,
      nav ? h('nav', { class: 'pager', 'aria-label': 'Dossiers de la liste' },
        nav.prev ? h('a', { class: 'button button-secondary', href: `/app/dossiers/${nav.prev}`, rel: 'prev' }, 'Dossier précédent') : null,
        nav.next ? h('a', { class: 'button button-secondary', href: `/app/dossiers/${nav.next}`, rel: 'next' }, 'Dossier suivant') : null) : null,
      actionsSection(d, ctx),
      applicantSection(d.applicant),
      situationSection(d),
      piecesSection(d),
      preInstructionSection(d),
      rightsSection(d, sim, simError),
      section('echeances', 'Échéances', deadlinesTable(d.deadlines)),
      historySection(d),
      messages);
    void navigate;
  },
});
