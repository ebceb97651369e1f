// partner_forms.js — the four forms of the partner space (SPEC §12): "Nouveau
// dossier" (§4: the fields shown follow the prestation and the PUMa criterion;
// an AME first request is offered only to an organisation the API accepts it
// from), "Nouveau signalement" (§8: reasons, the 26 parcours by their French
// labels), "Demande de rendez-vous" and "Demande de document". Each is sent by
// "Envoyer" with an Idempotency-Key; the API's 422 errors appear next to their
// fields; after the 202 the reference and a link to the request.
//
// The rules of what is required live in the API (common/dossier_valid.c…),
// not here: the page shows what the API answers, so that one definition holds.

import { h, replace } from '../dom.js';
import { route } from '../router.js';
import { get, post } from '../api.js';
import { claims } from '../session.js';
import { PRESTATIONS, SIGNALEMENT_REASONS, DOCUMENTS, CHANNELS, SEXES } from '../labels.js';
import { requestPage } from '../kinds.js';
import { textField, selectField, radioGroup, checkboxField, checkboxGroup, values, onSubmit } from '../forms.js';
import { piecesEditor } from './partner_pieces.js';

// ---- what the forms read from the API ------------------------------------------------

let parcoursCache = null;
/** The 26 parcours attentionnés (GET /v1/parcours), in their order. */
export async function parcoursList() {
  if (!parcoursCache) parcoursCache = get('/v1/parcours').then((r) => r.json.items).catch((e) => { parcoursCache = null; throw e; });
  return parcoursCache;
}

/** Map code → French label of the parcours. */
export async function parcoursLabels() {
  try {
    return new Map((await parcoursList()).map((p) => [p.code, p.label]));
  } catch {
    return new Map();
  }
}

let orgCache = null;
/** The partner's own organisation (kind, habilitation, what it may send). */
export async function ownOrganisation() {
  const c = claims();
  if (!orgCache || orgCache.id !== c.org) {
    orgCache = { id: c.org, doc: (await get(`/v1/organisations/${encodeURIComponent(c.org)}`)).json };
  }
  return orgCache.doc;
}

// ---- shared pieces of forms ----------------------------------------------------------

/** Today in Europe/Paris, the day the product reckons in (SPEC §2), as YYYY-MM-DD. */
function today() {
  return new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Paris', year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date());
}

const LANGUAGES = [['fr', 'Français'], ['en', 'Anglais'], ['ar', 'Arabe'], ['es', 'Espagnol'], ['pt', 'Portugais'],
  ['ru', 'Russe'], ['uk', 'Ukrainien'], ['ro', 'Roumain'], ['tr', 'Turc'], ['fa', 'Persan'], ['ps', 'Pachto'],
  ['ti', 'Tigrigna'], ['so', 'Somali'], ['bn', 'Bengali'], ['ta', 'Tamoul'], ['zh', 'Chinois'], ['sq', 'Albanais'], ['ka', 'Géorgien']];

/** The person block of §4 and §8 under prefix ("applicant" or "person"). */
function personFieldset(prefix, legend, { applicant = false } = {}) {
  const n = (k) => `${prefix}.${k}`;
  return h('fieldset', {},
    h('legend', {}, legend),
    textField({ name: n('last_name'), label: 'Nom', autocomplete: 'off', required: true, paths: [prefix] }),
    textField({ name: n('first_names'), label: 'Prénom(s)', hint: 'Séparez plusieurs prénoms par une virgule : Marie, Louise.', autocomplete: 'off', required: true }),
    textField({ name: n('birth_date'), label: 'Date de naissance', type: 'date', required: true }),
    radioGroup({ name: n('sex'), legend: 'Sexe', options: Object.entries(SEXES), required: applicant }),
    textField({ name: n('nir'), label: 'Numéro de sécurité sociale (NIR), facultatif', hint: '13 chiffres et la clé de 2 chiffres, s’il est connu.', inputmode: 'numeric', autocomplete: 'off' }),
    textField({ name: n('phone'), label: 'Téléphone, facultatif', type: 'tel', autocomplete: 'off' }),
    textField({ name: n('email'), label: 'Courriel, facultatif', type: 'email', autocomplete: 'off' }),
    selectField({ name: n('language'), label: 'Langue parlée, facultatif', options: LANGUAGES, placeholder: 'Non précisée' }),
    checkboxField({ name: n('interpreter_needed'), label: 'Un interprète est nécessaire' }),
    h('fieldset', {}, h('legend', {}, 'Adresse, facultatif'),
      textField({ name: n('address.line'), label: 'Numéro et voie', autocomplete: 'off', paths: [n('address')] }),
      textField({ name: n('address.postal_code'), label: 'Code postal', inputmode: 'numeric', autocomplete: 'off' }),
      textField({ name: n('address.city'), label: 'Commune', autocomplete: 'off' })),
    h('fieldset', {}, h('legend', {}, 'Domiciliation, pour une personne sans domicile stable'),
      textField({ name: n('domiciliation.organisme'), label: 'Organisme domiciliataire', autocomplete: 'off', paths: [n('domiciliation')] }),
      textField({ name: n('domiciliation.since'), label: 'Domiciliée depuis le', type: 'date' })));
}

function pick(obj) {
  const out = {};
  for (const [k, v] of Object.entries(obj)) if (v !== null && v !== undefined) out[k] = v;
  return Object.keys(out).length ? out : null;
}

/** The person object from the form's values. */
function personValue(v, prefix) {
  const g = (k) => v[`${prefix}.${k}`];
  const names = (g('first_names') || '').split(',').map((s) => s.trim()).filter(Boolean);
  const p = {
    last_name: g('last_name') || undefined,
    first_names: names,
    birth_date: g('birth_date') || undefined,
    sex: g('sex') || undefined,
    nir: g('nir') ? g('nir').replace(/\s+/g, '') : null,
    phone: g('phone') || undefined,
    email: g('email') || null,
    language: g('language') || undefined,
    interpreter_needed: Boolean(g('interpreter_needed')),
  };
  const address = pick({ line: g('address.line'), postal_code: g('address.postal_code'), city: g('address.city') });
  if (address) p.address = address;
  const dom = pick({ organisme: g('domiciliation.organisme'), since: g('domiciliation.since') });
  if (dom) p.domiciliation = dom;
  return p;
}

function consentFieldset(required) {
  return h('fieldset', {},
    h('legend', {}, required ? 'Consentement de la personne' : 'Consentement de la personne, facultatif'),
    textField({ name: 'consent.obtained_on', label: 'Consentement recueilli le', type: 'date', value: required ? today() : null, required, paths: ['consent'] }),
    checkboxField({ name: 'consent.informed', label: 'La personne a été informée de l’envoi de ses données à l’Assurance Maladie et y consent' }));
}

function consentValue(v, required) {
  if (!required && !v['consent.obtained_on'] && !v['consent.informed']) return undefined;
  return { obtained_on: v['consent.obtained_on'] || undefined, informed: Boolean(v['consent.informed']) };
}

const bool = (x) => (x === 'true' ? true : x === 'false' ? false : undefined);

/** After the 202: the reference, a link to the request, and what to do next. */
function sent(main, kind, json, again, extra) {
  const link = requestPage(kind, json.id);
  const title = h('h2', { tabindex: '-1' }, 'Demande envoyée');
  replace(main, h('h1', {}, again.title),
    h('div', { class: 'notice notice-success', role: 'status' },
      title,
      h('p', {}, 'Référence : ', h('strong', { class: 'reference' }, json.reference)),
      extra ? h('p', {}, extra) : null,
      h('p', {}, h('a', { href: link }, `Voir la demande ${json.reference}`))),
    h('p', {}, h('a', { href: again.href }, again.label), ' · ', h('a', { href: '/app/espace/demandes' }, 'Mes demandes')));
  title.focus();
}

function submitRow() {
  return h('div', { class: 'actions' }, h('button', { type: 'submit' }, 'Envoyer'));
}

// ---- "Nouveau dossier" ---------------------------------------------------------------

route({
  path: '/app/espace/nouveau-dossier',
  roles: ['partner'],
  title: 'Nouveau dossier',
  async render(main) {
    const org = await ownOrganisation();
    const ameFirstAllowed = org.ame_first_request_allowed === true;
    const pieces = piecesEditor({ name: 'pieces', legend: 'Pièces justificatives' });
    const careDates = h('div', { class: 'care-dates' });
    let careCount = 0;
    const addCareDate = () => {
      const i = careCount;
      careCount += 1;
      careDates.append(textField({ name: `situation.care_dates[${i}]`, label: `Date de soins ${i + 1}`, type: 'date' }));
    };
    addCareDate();

    const show = (prestations, el) => { el.dataset.show = prestations; return el; };
    const form = h('form', { id: 'form-dossier', novalidate: true, 'aria-describedby': 'dossier-intro' },
      h('fieldset', {},
        h('legend', {}, 'Demande'),
        radioGroup({ name: 'prestation', legend: 'Prestation demandée', required: true, options: Object.entries(PRESTATIONS), onchange: () => update() }),
        checkboxField({ name: 'first_request', label: 'Première demande', onchange: () => update() }),
        h('div', { class: 'notice', id: 'ame-non-habilitee', hidden: true },
          h('p', {}, 'Votre organisation n’est pas habilitée à déposer une première demande d’AME : seules les PASS, les établissements de santé et les France Services habilitées le peuvent (article D252-2 du code de l’action sociale et des familles). Vous pouvez déposer un renouvellement.')),
        radioGroup({
          name: 'transmit', legend: 'Envoi', value: 'true', onchange: () => update(),
          options: [['true', 'Transmettre le dossier à la caisse maintenant'],
            ['false', 'Enregistrer le dépôt seulement : vous imprimerez l’attestation de dépôt et transmettrez le dossier plus tard']],
        }),
        textField({ name: 'deposited_on', label: 'Date du dépôt auprès de votre organisation', type: 'date', value: today(),
          hint: 'Pour une première demande d’AME, c’est la date retenue pour l’ouverture des droits. Elle figure sur l’attestation de dépôt.' })),
      personFieldset('applicant', 'Demandeur', { applicant: true }),
      h('fieldset', { id: 'situation' },
        h('legend', {}, 'Situation'),
        h('p', { class: 'hint', id: 'situation-vide' }, 'Choisissez d’abord la prestation : les questions de la situation en dépendent.'),
        show('puma', radioGroup({ name: 'situation.puma_criterion', legend: 'Critère d’ouverture de la PUMa', required: true, paths: ['situation'],
          options: [['residence', 'Résidence stable en France'], ['activite', 'Activité professionnelle en France']], onchange: () => update() })),
        show('puma', radioGroup({ name: 'situation.regular_stay', legend: 'La personne séjourne-t-elle régulièrement en France ?', required: true, options: [['true', 'Oui'], ['false', 'Non']] })),
        show('puma', textField({ name: 'situation.residence_since', label: 'Résidence en France depuis le', type: 'date', required: true })),
        show('puma', textField({ name: 'situation.activity_start', label: 'Début de l’activité professionnelle', type: 'date', required: true })),
        show('css', textField({ name: 'situation.puma_start', label: 'Début des droits à la PUMa', type: 'date', required: true, hint: 'La Complémentaire santé solidaire suppose des droits à la PUMa.' })),
        show('ame', textField({ name: 'situation.irregular_since', label: 'En situation irrégulière depuis le', type: 'date', required: true, hint: 'Le séjour doit durer depuis plus de trois mois au dépôt.' })),
        show('css ame', radioGroup({ name: 'situation.resources_under_ceiling', legend: 'Les ressources sont-elles sous le plafond ?', required: true, options: [['true', 'Oui'], ['false', 'Non']] })),
        show('css ame', checkboxField({ name: 'situation.urgent_care_needed', label: 'Des soins urgents sont nécessaires' })),
        show('css ame', checkboxField({ name: 'situation.precarious', label: 'La personne est en situation de grande précarité' })),
        show('css ame', h('fieldset', {}, h('legend', {}, 'Hospitalisation, s’il y a lieu'),
          textField({ name: 'situation.hospitalization.admitted_on', label: 'Admission le', type: 'date', paths: ['situation.hospitalization'] }),
          textField({ name: 'situation.hospitalization.discharged_on', label: 'Sortie le', type: 'date', hint: 'Laissez vide si la personne est encore hospitalisée.' }))),
        show('ame', h('fieldset', { 'data-field': 'situation.care_dates' }, h('legend', {}, 'Soins reçus avant le dépôt, s’il y a lieu'),
          h('div', { class: 'field', 'data-field': 'situation.care_dates' }, h('p', { class: 'field-error', id: 'f-situation-care_dates-error', hidden: true }), h('span', { tabindex: '-1' })),
          careDates,
          h('div', { class: 'actions' }, h('button', { type: 'button', class: 'button-secondary', onclick: () => { addCareDate(); careDates.lastElementChild.querySelector('input').focus(); } }, 'Ajouter une date de soins'))))),
      pieces.el,
      consentFieldset(true),
      submitRow());

    function update() {
      const prestation = form.querySelector('input[name=prestation]:checked')?.value || '';
      const firstBox = form.querySelector('[data-field=first_request]');
      const notAllowed = prestation === 'ame' && !ameFirstAllowed;
      firstBox.hidden = notAllowed;
      form.querySelector('#ame-non-habilitee').hidden = !notAllowed;
      const first = !notAllowed && form.first_request.checked;
      const transmit = form.querySelector('input[name=transmit]:checked')?.value !== 'false';
      form.querySelector('[data-field=deposited_on]').hidden = !((prestation === 'ame' && first) || !transmit);
      const criterion = form.querySelector('input[name="situation.puma_criterion"]:checked')?.value || '';
      for (const el of form.querySelectorAll('#situation [data-show]')) {
        let visible = el.dataset.show.split(' ').includes(prestation);
        if (visible && el.dataset.field === 'situation.residence_since') visible = criterion === 'residence';
        if (visible && el.dataset.field === 'situation.activity_start') visible = criterion === 'activite';
        el.hidden = !visible;
      }
      form.querySelector('#situation-vide').hidden = Boolean(prestation);
    }

    onSubmit(form, {
      check: () => pieces.problems(),
      async send(key) {
        const v = values(form);
        const situation = {};
        const s = (k) => v[`situation.${k}`];
        const set = (k, val) => { if (val !== undefined && val !== null) situation[k] = val; };
        set('puma_criterion', s('puma_criterion'));
        set('regular_stay', bool(s('regular_stay')));
        set('residence_since', s('residence_since'));
        set('activity_start', s('activity_start'));
        set('puma_start', s('puma_start'));
        set('irregular_since', s('irregular_since'));
        set('resources_under_ceiling', bool(s('resources_under_ceiling')));
        if (v.prestation === 'css' || v.prestation === 'ame') {
          set('urgent_care_needed', Boolean(s('urgent_care_needed')));
          set('precarious', Boolean(s('precarious')));
          const hosp = pick({ admitted_on: s('hospitalization.admitted_on'), discharged_on: s('hospitalization.discharged_on') });
          if (hosp) situation.hospitalization = { discharged_on: null, ...hosp };
        }
        if (v.prestation === 'ame') {
          situation.regular_stay = false; // AME is for a stay that is not regular (§5)
          const dates = [...careDates.querySelectorAll('input')].map((i) => i.value).filter(Boolean);
          if (dates.length) situation.care_dates = dates;
        }
        const body = {
          prestation: v.prestation || undefined,
          first_request: v.first_request === true,
          transmit: v.transmit !== 'false',
          applicant: personValue(v, 'applicant'),
          situation,
          pieces: await pieces.value(),
          consent: consentValue(v, true),
        };
        if (v.deposited_on) body.deposited_on = v.deposited_on;
        return post('/v1/dossiers', body, { headers: { 'Idempotency-Key': key } });
      },
      onDone(r) {
        const deposit = r.json.status === 'depose';
        sent(main, 'dossier', r.json, { title: 'Nouveau dossier', href: '/app/espace/nouveau-dossier', label: 'Déposer un autre dossier' },
          deposit ? 'Le dépôt est enregistré. Sur la page de la demande : « Imprimer l’attestation de dépôt », puis « Transmettre à la caisse ».' : 'Le dossier est transmis à la caisse.');
      },
    });

    replace(main, h('h1', {}, 'Nouveau dossier'),
      h('p', { id: 'dossier-intro' }, 'Demande d’ouverture de droits à la PUMa, à la Complémentaire santé solidaire ou à l’AME pour une personne que vous accompagnez. Les champs marqués « obligatoire » le sont pour la prestation choisie.'),
      form);
    update();
  },
});

// ---- the three services of §8 ----------------------------------------------------------

/** A form of §8: the person, the service's own fields, a comment, the consent
 *  (required for a signalement only), sent to spec.api. */
function serviceForm(main, spec) {
  const form = h('form', { id: spec.id, novalidate: true },
    personFieldset('person', 'Personne'),
    h('fieldset', {}, h('legend', {}, spec.legend), ...spec.fields,
      textField({ name: 'comment', label: 'Commentaire, facultatif', type: 'textarea' })),
    consentFieldset(spec.consentRequired),
    submitRow());
  onSubmit(form, {
    send(key) {
      const v = values(form);
      const body = { person: personValue(v, 'person'), ...spec.body(v) };
      const consent = consentValue(v, spec.consentRequired);
      if (consent) body.consent = consent;
      if (v.comment) body.comment = v.comment;
      return post(spec.api, body, { headers: { 'Idempotency-Key': key } });
    },
    onDone(r) {
      sent(main, spec.kind, r.json, { title: spec.title, href: spec.href, label: spec.again }, spec.after);
    },
  });
  replace(main, h('h1', {}, spec.title), h('p', {}, spec.intro), form);
}

/** The route at href of a form of SPEC §8 titled title: make() gives the rest
 * of serviceForm's spec, its fields built afresh at each visit. */
function serviceRoute(href, title, make) {
  route({
    path: href,
    roles: ['partner'],
    title,
    async render(main) {
      serviceForm(main, { ...make(), href, title });
    },
  });
}

route({
  path: '/app/espace/nouveau-signalement',
  roles: ['partner'],
  title: 'Nouveau signalement',
  async render(main) {
    const groups = [];
    for (const p of await parcoursList()) {
      let g = groups.find((x) => x.theme === p.theme);
      if (!g) { g = { theme: p.theme, group: p.theme_label, options: [] }; groups.push(g); }
      g.options.push([p.code, p.label]);
    }
    serviceForm(main, {
      id: 'form-signalement', kind: 'signalement', api: '/v1/signalements', consentRequired: true,
      title: 'Nouveau signalement', href: '/app/espace/nouveau-signalement', again: 'Faire un autre signalement',
      intro: 'Signaler à la Mission accompagnement santé une personne qui renonce à des soins ou peine à y accéder.',
      after: 'La Mission accompagnement santé prend en charge le signalement sous 48 heures.',
      legend: 'Signalement',
      fields: [
        checkboxGroup({ name: 'reasons', legend: 'Raisons du renoncement aux soins ou de la difficulté d’accès', options: Object.entries(SIGNALEMENT_REASONS), required: true, hint: 'Cochez toutes celles qui s’appliquent.' }),
        selectField({ name: 'parcours', label: 'Parcours attentionné', options: groups, required: true, hint: 'Le parcours de l’Assurance Maladie qui correspond à la situation.' }),
      ],
      body: (v) => ({ reasons: v.reasons || [], parcours: v.parcours || undefined }),
    });
  },
});

serviceRoute('/app/espace/demande-rendez-vous', 'Demande de rendez-vous', () => ({
  id: 'form-rendez-vous', kind: 'rendez_vous', api: '/v1/rendez-vous', consentRequired: false,
  again: 'Demander un autre rendez-vous',
  intro: 'Demander à la caisse un rendez-vous pour une personne que vous accompagnez.',
  after: 'La caisse rappelle la personne sous 24 heures pour fixer le rendez-vous.',
  legend: 'Rendez-vous',
  fields: [
    textField({ name: 'site', label: 'Lieu d’accueil souhaité', required: true, hint: 'Par exemple : accueil de La Rochelle.' }),
    textField({ name: 'reason', label: 'Motif du rendez-vous', type: 'textarea', required: true }),
    textField({ name: 'availability', label: 'Disponibilités de la personne, facultatif', type: 'textarea', hint: 'Une par ligne : « mardi matin », « jeudi après 14 h »…' }),
  ],
  body: (v) => ({
    site: v.site || undefined, reason: v.reason || undefined,
    availability: (v.availability || '').split('\n').map((x) => x.trim()).filter(Boolean),
  }),
}));

serviceRoute('/app/espace/demande-document', 'Demande de document', () => ({
  id: 'form-document', kind: 'demande_document', api: '/v1/demandes-document', consentRequired: false,
  again: 'Demander un autre document',
  intro: 'Demander à la caisse un document pour une personne : attestation de droits, attestation de Complémentaire santé solidaire…',
  legend: 'Document',
  fields: [
    selectField({ name: 'document', label: 'Document demandé', options: Object.entries(DOCUMENTS), required: true }),
    radioGroup({ name: 'channel', legend: 'Envoi du document', options: Object.entries(CHANNELS), required: true }),
  ],
  body: (v) => ({ document: v.document || undefined, channel: v.channel || undefined }),
}));
