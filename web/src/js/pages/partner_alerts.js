// partner_alerts.js — the organisation's deadline alerts (GET /v1/alerts,
// scoped to the organisation by the API) and its webhooks, for partners whose
// software wants the events (SPEC §6): create (the secret shown once), see
// the deliveries, delete.

import { h, replace, formatInstant, badge, notice } from '../dom.js';
import { route } from '../router.js';
import { listQuery, pager } from '../listpage.js';
import { api, get, post, qs } from '../api.js';
import { CLOCKS, label } from '../labels.js';
import { REQUEST_KINDS, requestPage } from '../kinds.js';
import { textField, checkboxGroup, values, onSubmit } from '../forms.js';

const LEVELS = { warning: 'Alerte avant échéance', breach: 'Délai dépassé' };

function lead(iso) {
  const m = /^P(?:(\d+)D)?(?:T(?:(\d+)H)?)?$/.exec(iso || '');
  if (!m) return '';
  if (m[1]) return `${m[1]} jour(s) avant`;
  if (m[2]) return `${m[2]} heure(s) avant`;
  return '';
}

route({
  path: '/app/espace/alertes',
  roles: ['partner'],
  title: 'Alertes',
  async render(main, params, query) {
    const { filters: chosen, cursor } = listQuery(query, { level: LEVELS });
    const { level } = chosen;
    const r = await get('/v1/alerts' + qs({ ...chosen, cursor, limit: 50 }));
    const items = r.json.items;
    const tabs = h('ul', { class: 'tabs', 'aria-label': 'Niveau des alertes' },
      [['', 'Toutes'], ['warning', LEVELS.warning], ['breach', LEVELS.breach]].map(([v, l]) => h('li', {},
        h('a', { href: '/app/espace/alertes' + qs({ level: v }), 'aria-current': v === level ? 'true' : null }, l))));
    const table = h('table', { class: 'list' },
      h('caption', {}, 'Alertes d’échéance des demandes de votre organisation, les plus récentes en premier'),
      h('thead', {}, h('tr', {}, ['Demande', 'Délai', 'Niveau', 'Échéance', 'Émise le'].map((t) => h('th', { scope: 'col' }, t)))),
      h('tbody', {}, items.map((a) => h('tr', { class: a.level === 'breach' ? 'breached' : null },
        h('th', { scope: 'row', 'data-label': 'Demande' }, REQUEST_KINDS[a.object.type]
          ? h('a', { href: requestPage(a.object.type, a.object.id) }, a.object.reference || a.object.id)
          : (a.object.reference || a.object.id)),
        h('td', { 'data-label': 'Délai' }, label(CLOCKS, a.clock)),
        h('td', { 'data-label': 'Niveau' }, a.level === 'breach' ? badge('Délai dépassé', 'danger') : badge(`Alerte${lead(a.lead) ? ` ${lead(a.lead)}` : ''}`, 'warning')),
        h('td', { 'data-label': 'Échéance' }, formatInstant(a.due_at)),
        h('td', { 'data-label': 'Émise le' }, formatInstant(a.fired_at))))));
    replace(main, h('h1', {}, 'Alertes'),
      h('p', {}, 'Les délais de la caisse qui approchent ou sont dépassés pour vos demandes. Votre logiciel peut les recevoir par ', h('a', { href: '/app/espace/webhooks' }, 'webhook'), '.'),
      tabs,
      items.length ? h('div', { class: 'table-wrap' }, table) : h('p', {}, 'Aucune alerte.'),
      pager('/app/espace/alertes', chosen, cursor, r.json.next_cursor));
  },
});

// ---- webhooks ------------------------------------------------------------------------

const EVENTS = {
  'dossier.status_changed': 'Changement de statut d’un dossier',
  'deadline.warning': 'Alerte avant une échéance',
  'deadline.breached': 'Délai dépassé',
  'message.created': 'Nouveau message sur un dossier',
};

function webhookRow(w, onDeleted) {
  const confirmBox = h('span', { class: 'confirm', hidden: true });
  const del = h('button', { type: 'button', class: 'button-danger', onclick: () => { confirmBox.hidden = false; del.hidden = true; confirmBox.querySelector('button').focus(); } }, `Supprimer le webhook ${w.url}`);
  replace(confirmBox,
    h('button', { type: 'button', class: 'button-danger', onclick: async (ev) => {
      ev.currentTarget.setAttribute('aria-disabled', 'true');
      try {
        await api('DELETE', `/v1/webhooks/${encodeURIComponent(w.id)}`);
        onDeleted(w);
      } catch (e) {
        replace(confirmBox, notice(e.message, 'error'));
      }
    } }, 'Confirmer la suppression'),
    h('button', { type: 'button', class: 'button-secondary', onclick: () => { confirmBox.hidden = true; del.hidden = false; del.focus(); } }, 'Annuler'));
  return h('li', { class: 'webhook' },
    h('p', {}, h('strong', {}, w.url), ' ', badge(w.state === 'active' ? 'Actif' : w.state === 'disabled' ? 'Désactivé' : (w.state || ''), w.state === 'active' ? 'ok' : 'warning')),
    h('p', { class: 'small' }, 'Événements : ', (w.events || []).map((e) => EVENTS[e] || e).join(', ')),
    w.description ? h('p', { class: 'small' }, w.description) : null,
    h('div', { class: 'actions' }, h('a', { class: 'button button-secondary', href: `/app/espace/webhooks/${encodeURIComponent(w.id)}` }, `Livraisons du webhook ${w.url}`), del, confirmBox));
}

route({
  path: '/app/espace/webhooks',
  roles: ['partner'],
  title: 'Webhooks',
  async render(main) {
    const r = await get('/v1/webhooks' + qs({ limit: 100 }));
    const list = h('ul', { class: 'webhooks' });
    const status = h('div', { role: 'status' });
    const onDeleted = (w) => {
      const li = [...list.children].find((x) => x.dataset.id === w.id);
      if (li) li.remove();
      replace(status, notice(`Webhook ${w.url} supprimé.`, 'success'));
      if (!list.children.length) list.append(h('li', {}, 'Aucun webhook.'));
      main.querySelector('h1').focus();
    };
    const draw = (items) => replace(list, items.length ? items.map((w) => {
      const li = webhookRow(w, onDeleted);
      li.dataset.id = w.id;
      return li;
    }) : h('li', {}, 'Aucun webhook.'));
    draw(r.json.items);

    const form = h('form', { id: 'form-webhook', novalidate: true },
      textField({ name: 'url', label: 'Adresse de réception (URL)', type: 'url', required: true, hint: 'https://… : votre logiciel reçoit les événements par POST, signés selon Standard Webhooks.' }),
      checkboxGroup({ name: 'events', legend: 'Événements à recevoir', options: Object.entries(EVENTS), values: Object.keys(EVENTS), required: true }),
      textField({ name: 'description', label: 'Description, facultatif' }),
      h('div', { class: 'actions' }, h('button', { type: 'submit' }, 'Créer le webhook')));
    const secretBox = h('div', {});
    onSubmit(form, {
      send(key) {
        const v = values(form);
        const body = { url: v.url || undefined, events: v.events || [] };
        if (v.description) body.description = v.description;
        return post('/v1/webhooks', body, { headers: { 'Idempotency-Key': key } });
      },
      onDone(res) {
        const w = res.json;
        const heading = h('h3', { tabindex: '-1' }, 'Webhook créé');
        replace(secretBox, h('div', { class: 'notice notice-success', role: 'status' },
          heading,
          h('p', {}, 'Secret de signature, affiché cette seule fois : copiez-le maintenant dans votre logiciel.'),
          h('p', {}, h('code', { class: 'secret' }, w.secret || '')),
          h('p', {}, 'epart ne le conserve que pour signer les envois : il ne sera plus jamais affiché.')));
        form.reset();
        for (const c of form.querySelectorAll('input[name=events]')) c.checked = true;
        get('/v1/webhooks' + qs({ limit: 100 })).then((x) => draw(x.json.items));
        heading.focus();
      },
    });
    replace(main, h('h1', {}, 'Webhooks'),
      h('p', {}, 'Pour que votre logiciel soit prévenu des changements de statut, des alertes d’échéance et des messages de la caisse.'),
      status,
      h('h2', {}, 'Webhooks de votre organisation'), list,
      h('h2', {}, 'Nouveau webhook'), secretBox, form);
  },
});

route({
  path: '/app/espace/webhooks/:id',
  roles: ['partner'],
  title: 'Livraisons du webhook',
  async render(main, params, query) {
    const id = encodeURIComponent(params.id);
    let w;
    try {
      w = (await get(`/v1/webhooks/${id}`)).json;
    } catch (e) {
      if (e.status === 404) {
        replace(main, h('h1', {}, 'Webhook introuvable'), h('p', {}, h('a', { href: '/app/espace/webhooks' }, 'Revenir aux webhooks')));
        return;
      }
      throw e;
    }
    const { cursor } = listQuery(query, {});
    const r = await get(`/v1/webhooks/${id}/deliveries` + qs({ cursor, limit: 50 }));
    const items = r.json.items;
    replace(main, h('h1', {}, 'Livraisons du webhook'),
      h('p', {}, h('a', { href: '/app/espace/webhooks' }, 'Webhooks'), ` › ${w.url}`),
      items.length ? h('div', { class: 'table-wrap' }, h('table', { class: 'list' },
        h('caption', {}, 'Chaque tentative de livraison, la plus récente en premier'),
        h('thead', {}, h('tr', {}, ['Date', 'Événement', 'Tentative', 'Résultat', 'Prochain essai'].map((t) => h('th', { scope: 'col' }, t)))),
        h('tbody', {}, items.map((d) => h('tr', {},
          h('th', { scope: 'row', 'data-label': 'Date' }, formatInstant(d.at)),
          h('td', { 'data-label': 'Événement' }, EVENTS[d.event_type] || d.event_type),
          h('td', { 'data-label': 'Tentative' }, String(d.attempt)),
          h('td', { 'data-label': 'Résultat' }, d.success ? badge(`Reçu (${d.status_code})`, 'ok') : badge(d.status_code ? `Échec (${d.status_code})` : `Échec : ${d.error || 'sans réponse'}`, 'danger')),
          h('td', { 'data-label': 'Prochain essai' }, d.next_attempt_at ? formatInstant(d.next_attempt_at) : '—')))))) : h('p', {}, 'Aucune livraison pour l’instant.'),
      pager(`/app/espace/webhooks/${id}`, {}, cursor, r.json.next_cursor));
  },
});
