// backoffice.test.mjs — the back office of the caisse in Chromium (SPEC §12,
// issue 10 item 7), against the real stack and the demonstration backlog of
// deploy/demo_requests.py (test clock frozen at 2026-12-01T09:00:00Z).

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import {
  launch, newPage, signIn, goto, ready, axe, axTree, shot, checkNarrow, checkTableRoles, firstLoadBytes, noProblems,
  instructorToken, partnerToken, apiCall, waitFor, CREATED, ORGS,
} from './lib.mjs';

let browser;
let page;
const INSTR = instructorToken();
const XSS = '<img src=x onerror=alert(1)>';

before(async () => {
  browser = await launch();
  page = await newPage(browser);
});

after(async () => {
  await browser?.close();
});

const h1 = () => page.locator('h1').textContent();
const mainText = () => page.locator('main').textContent();

async function click(locator) {
  await page.evaluate(() => { document.body.dataset.ready = 'false'; });
  await locator.click();
  await ready(page);
}

async function dossierStatus(id) {
  return (await apiCall('GET', `/v1/dossiers/${id}`, INSTR)).json.status;
}

/** A fresh dossier submitted by a partner of the demonstration, persisted. */
async function submitDossier(org, over = {}) {
  const body = {
    prestation: 'puma', first_request: false, transmit: true,
    applicant: {
      last_name: 'TESTEUR', first_names: ['Alex'], birth_date: '1985-03-12', sex: 'F', nir: null, phone: '0600000099',
      email: null, language: 'fr', interpreter_needed: false,
      address: { line: '3 rue du Test', postal_code: '17000', city: 'La Rochelle' }, ...(over.applicant || {}),
    },
    situation: { puma_criterion: 'residence', residence_since: '2025-01-01', regular_stay: true },
    pieces: [{ kind: 'identite', filename: 'id.pdf', sha256: 'a'.repeat(64), size: 1000 }],
    consent: { obtained_on: '2026-11-30', informed: true },
  };
  const r = await apiCall('POST', '/v1/dossiers', partnerToken(org), body);
  assert.equal(r.status, 202, r.text);
  await waitFor(async () => !(await apiCall('GET', `/v1/dossiers/${r.json.id}`, INSTR)).json.queued);
  return r.json;
}

test('sign-in link: token kept in sessionStorage only and removed from the address bar', async () => {
  await signIn(page, INSTR);
  assert.equal(new URL(page.url()).hash, '');
  assert.equal(await page.evaluate(() => sessionStorage.getItem('epart.token')), INSTR);
  assert.equal(await page.evaluate(() => localStorage.length), 0);
  assert.equal(await page.evaluate(() => document.cookie), '');
  assert.equal(await h1(), 'Dossiers à instruire');
  assert.equal(await page.title(), 'Dossiers à instruire — epart');
  noProblems(page);
});

test('layout: landmarks, skip link, navigation in French', async () => {
  assert.equal(await page.getAttribute('html', 'lang'), 'fr');
  assert.equal(await page.locator('header').count(), 1);
  assert.equal(await page.locator('main#contenu').count(), 1);
  assert.equal(await page.locator('footer').count(), 1);
  const nav = page.getByRole('navigation', { name: 'Navigation principale' });
  for (const name of ['Dossiers à instruire', 'Signalements', 'Rendez-vous', 'Demandes de document', 'Alertes', 'Partenaires', 'Indicateurs']) {
    assert.equal(await nav.getByRole('link', { name, exact: true }).count(), 1, name);
  }
  await page.keyboard.press('Tab');
  const skip = page.locator('.skip-link');
  assert.equal(await skip.evaluate((el) => el === document.activeElement), true);
  assert.equal(await skip.textContent(), 'Aller au contenu');
  await page.keyboard.press('Enter');
  await page.waitForFunction(() => document.activeElement && document.activeElement.id === 'contenu');
});

test('"Dossiers à instruire": the table of SPEC §12, next due time first, breached first', async () => {
  await goto(page, '/app/');
  const headers = await page.locator('table#dossiers thead th').allTextContents();
  for (const h of ['Référence', 'Prestation', 'Partenaire', 'Statut', 'Échéance']) assert.ok(headers.includes(h), h);
  const rows = page.locator('table#dossiers tbody tr');
  assert.match(await rows.first().textContent(), /Délai dépassé/);
  // the order of the API: the next due time first (breached, then J-n, then later, then none)
  const cells = await page.locator('table#dossiers tbody tr td:last-child').allTextContents();
  const firstNotBreached = cells.findIndex((c) => !/Délai dépassé/.test(c));
  assert.ok(firstNotBreached > 0 && cells.slice(firstNotBreached).every((c) => !/Délai dépassé/.test(c)), cells.join(' | '));
  assert.ok(cells.some((c) => /J-\d+/.test(c)), 'a clock inside its warning lead shows J-<days left>');
  const firstJ = cells.findIndex((c) => /J-\d+/.test(c));
  assert.ok(firstJ >= firstNotBreached);
  // each reference is a link to its dossier's page
  const link = rows.first().locator('th a');
  assert.match(await link.getAttribute('href'), /^\/app\/dossiers\/[0-9a-f-]{36}$/);
  // tabs with counts
  assert.match(await page.getByRole('navigation', { name: 'Statuts' }).textContent(), /Reçus \(\d+\)/);
  await axe(page, 'Dossiers à instruire');
  await shot(page, '01-dossiers-a-instruire');
  noProblems(page);
});

test('filters, search by reference and CSV of the filtered list', async () => {
  await goto(page, '/app/');
  // tab "Reçus": only received dossiers
  await click(page.getByRole('navigation', { name: 'Statuts' }).getByRole('link', { name: /^Reçus/ }));
  const statuses = await page.locator('table#dossiers tbody td[data-label="Statut"]').allTextContents();
  assert.ok(statuses.length > 0 && statuses.every((s) => s === 'Reçu'), statuses.join(','));
  assert.match(page.url(), /status=recu/);
  // prestation AME
  await page.getByLabel('Prestation').selectOption('ame');
  await click(page.getByRole('button', { name: 'Filtrer' }));
  const prest = await page.locator('table#dossiers tbody td[data-label="Prestation"]').allTextContents();
  assert.ok(prest.length > 0 && prest.every((s) => s === 'AME'), prest.join(','));
  // by partner, and "En retard uniquement"
  await goto(page, '/app/');
  await page.getByLabel('Partenaire').selectOption({ label: 'CCAS de Rochefort' });
  await page.getByLabel(/En retard uniquement/).check();
  await click(page.getByRole('button', { name: 'Filtrer' }));
  const late = await page.locator('table#dossiers tbody tr').allTextContents();
  assert.ok(late.length > 0 && late.every((r) => /CCAS de Rochefort/.test(r) && /Délai dépassé|Suspendu/.test(r)), late.join('\n'));
  // search by reference
  const ref = CREATED.dossiers[3].reference;
  await goto(page, '/app/');
  await page.getByLabel('Rechercher une référence').fill(ref.slice(3));
  await click(page.getByRole('button', { name: 'Filtrer' }));
  assert.deepEqual(await page.locator('table#dossiers tbody th a').allTextContents(), [ref]);
  // CSV of the filtered list (prestation PUMa)
  await goto(page, '/app/?prestation=puma');
  const shown = await page.locator('table#dossiers tbody th a').allTextContents();
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Exporter en CSV' }).click()]);
  assert.equal(download.suggestedFilename(), 'dossiers.csv');
  const csv = readFileSync(await download.path(), 'utf8').trim().split('\r\n');
  assert.equal(csv[0], 'reference,prestation,organisation,statut,echeance,echeance_etat,echeance_due_at,received_on,decided_on');
  assert.deepEqual(csv.slice(1).map((l) => l.split(',')[0]), shown);
  assert.ok(shown.length > 0 && csv.slice(1).every((l) => l.split(',')[1] === 'puma'), csv.join('\n'));
  await shot(page, '02-dossiers-filtres');
  noProblems(page);
});

test('"Commencer l\'instruction" on several selected dossiers at once', async () => {
  const a = await submitDossier(ORGS.fs);
  const b = await submitDossier(ORGS.fs);
  await goto(page, `/app/?status=recu&org=${ORGS.fs}`);
  await page.locator(`#sel-${a.id}`).check();
  await page.locator(`#sel-${b.id}`).check();
  await page.getByRole('button', { name: "Commencer l'instruction" }).click();
  await page.waitForFunction(() => /Instruction commencée pour 2 dossier/.test(document.getElementById('bulk-status')?.textContent || ''));
  assert.equal(await dossierStatus(a.id), 'en_instruction');
  assert.equal(await dossierStatus(b.id), 'en_instruction');
  await shot(page, '03-dossiers-instruction-groupee');
  noProblems(page);
});

test('a whole instruction: start, request pieces, the partner answers, decide with the rights shown, history', async () => {
  const d = CREATED.dossiers.find((x) => x.status === 'recu' && x.org === ORGS.pass);
  assert.ok(d, 'a received dossier of the PASS in the backlog');
  await goto(page, '/app/');
  await click(page.getByRole('link', { name: d.reference, exact: true }));
  assert.equal(await h1(), d.reference);
  for (const s of ['Demandeur', 'Situation', 'Pièces', 'Pré-instruction', 'Droits proposés', 'Échéances', 'Historique', 'Messages']) {
    assert.equal(await page.getByRole('heading', { level: 2, name: s, exact: true }).count(), 1, s);
  }
  // only the actions the status allows
  assert.equal(await page.getByRole('button', { name: "Commencer l'instruction" }).count(), 1);
  assert.equal(await page.getByRole('button', { name: 'Décider', exact: true }).count(), 0);
  assert.equal(await page.getByRole('button', { name: 'Demander des pièces' }).count(), 0);
  assert.equal(await page.getByRole('button', { name: 'Classer sans suite' }).count(), 1);
  // the simulation, every check in words
  const checks = await page.locator('#droits-proposes ~ * li, section[aria-labelledby="droits-proposes"] li').allTextContents();
  assert.ok(checks.length >= 2 && checks.every((c) => /Rempli|Non rempli/.test(c) && c.length > 20), checks.join('\n'));
  await axe(page, 'Dossier (reçu)');
  await shot(page, '04-dossier-recu');

  await click(page.getByRole('button', { name: "Commencer l'instruction" }));
  assert.match(await page.locator('#statut').textContent(), /En instruction/);
  assert.equal(await page.getByRole('button', { name: 'Décider', exact: true }).count(), 1);
  assert.equal(await page.getByRole('button', { name: "Commencer l'instruction" }).count(), 0);

  await page.getByLabel('Justificatif de ressources').check();
  await page.getByLabel('Message au partenaire').fill('Merci de joindre le dernier avis d’imposition.');
  await click(page.getByRole('button', { name: 'Demander des pièces' }));
  assert.match(await page.locator('#statut').textContent(), /Pièces demandées/);
  assert.equal(await page.getByRole('button', { name: 'Décider', exact: true }).count(), 0);
  await shot(page, '05-dossier-pieces-demandees');

  // the partner sends the pieces through the API (its own software)
  const r = await apiCall('POST', `/v1/dossiers/${d.id}/pieces`, partnerToken(d.org),
    { pieces: [{ kind: 'justificatif_ressources', filename: 'avis-imposition.pdf', sha256: 'b'.repeat(64), size: 2048 }] });
  assert.equal(r.status, 202, r.text);
  assert.ok(await waitFor(async () => (await dossierStatus(d.id)) === 'en_instruction'));
  await goto(page, `/app/dossiers/${d.id}`);
  assert.match(await page.locator('#statut').textContent(), /En instruction/);
  assert.match(await mainText(), /avis-imposition\.pdf/);

  await page.getByLabel('Accord').check();
  await page.getByLabel('Motif').fill('Conditions remplies.');
  await click(page.getByRole('button', { name: 'Décider', exact: true }));
  assert.match(await page.locator('#statut').textContent(), /Accordé/);
  const rights = await page.locator('section[aria-labelledby="droits-proposes"]').textContent();
  assert.match(rights, /Droits ouverts\s*Du \d{2}\/\d{2}\/\d{4}/);
  assert.equal(await page.getByRole('button', { name: 'Classer sans suite' }).count(), 0);
  const history = await page.locator('section[aria-labelledby="historique"] li').allTextContents();
  const text = history.join('\n');
  for (const step of [/Reçu → En instruction/, /En instruction → Pièces demandées/, /Pièces demandées → En instruction/, /En instruction → Accordé/]) {
    assert.match(text, step);
  }
  await axe(page, 'Dossier (accordé)');
  await shot(page, '06-dossier-accorde');
  noProblems(page);
});

test('a whole instruction with the keyboard only', async () => {
  const d = await submitDossier(ORGS.ccas);
  await goto(page, `/app/dossiers/${d.id}`);
  async function tabTo(pred, what, max = 200) {
    for (let i = 0; i < max; i++) {
      await page.keyboard.press('Tab');
      if (await page.evaluate(pred)) return;
    }
    assert.fail(`could not reach ${what} with Tab`);
  }
  const isButton = (name) => `(() => { const a = document.activeElement; return a && a.tagName === 'BUTTON' && a.textContent.trim() === ${JSON.stringify(name)}; })()`;
  await page.evaluate(() => document.activeElement?.blur());
  await tabTo(isButton("Commencer l'instruction"), 'Commencer');
  await page.evaluate(() => { document.body.dataset.ready = 'false'; });
  await page.keyboard.press('Enter');
  await ready(page);
  assert.match(await page.locator('#statut').textContent(), /En instruction/);
  // request pieces: a checkbox with Space, a message typed, the button with Enter
  await tabTo(`document.activeElement && document.activeElement.id === 'piece-justificatif_ressources'`, 'a piece');
  await page.keyboard.press('Space');
  assert.equal(await page.evaluate(() => document.activeElement.checked), true);
  await tabTo(`document.activeElement && document.activeElement.id === 'pieces-message'`, 'the message');
  await page.keyboard.type('Justificatif de domicile récent, merci.');
  await tabTo(isButton('Demander des pièces'), 'Demander des pièces');
  await page.evaluate(() => { document.body.dataset.ready = 'false'; });
  await page.keyboard.press('Enter');
  await ready(page);
  assert.match(await page.locator('#statut').textContent(), /Pièces demandées/);
  const r = await apiCall('POST', `/v1/dossiers/${d.id}/pieces`, partnerToken(ORGS.ccas),
    { pieces: [{ kind: 'justificatif_domicile', filename: 'facture.pdf', sha256: 'c'.repeat(64), size: 3000 }] });
  assert.equal(r.status, 202);
  assert.ok(await waitFor(async () => (await dossierStatus(d.id)) === 'en_instruction'));
  await goto(page, `/app/dossiers/${d.id}`);
  await page.evaluate(() => document.activeElement?.blur());
  // decide: refus chosen with the arrow keys in the radio group, a motif typed
  await tabTo(`document.activeElement && document.activeElement.name === 'decision'`, 'the decision');
  await page.keyboard.press(await page.evaluate(() => document.activeElement.value === 'accord') ? 'ArrowDown' : 'Space');
  assert.equal(await page.evaluate(() => document.querySelector('input[name=decision]:checked').value), 'refus');
  await tabTo(`document.activeElement && document.activeElement.id === 'decision-motif'`, 'the motif');
  await page.keyboard.type('Ressources au-dessus du plafond.');
  await tabTo(isButton('Décider'), 'Décider');
  await page.evaluate(() => { document.body.dataset.ready = 'false'; });
  await page.keyboard.press('Enter');
  await ready(page);
  assert.match(await page.locator('#statut').textContent(), /Refusé/);
  assert.equal(await dossierStatus(d.id), 'refuse');
  // the focus is visible on every control reached (a visible outline)
  const outline = await page.evaluate(() => {
    const b = document.querySelector('a[href="/app/"]');
    b.focus();
    const s = getComputedStyle(b);
    return `${s.outlineStyle} ${s.outlineWidth}`;
  });
  assert.match(outline, /solid 3px/);
  noProblems(page);
});

test('a 412 says someone else changed the dossier and offers to reload', async () => {
  const d = await submitDossier(ORGS.pass);
  await goto(page, `/app/dossiers/${d.id}`);
  // another instructor acts meanwhile
  const other = await apiCall('POST', `/v1/dossiers/${d.id}/transitions`, INSTR, { action: 'start_instruction' });
  assert.equal(other.status, 200);
  // an empty reason is refused in the page, next to its field
  await page.getByRole('button', { name: 'Classer sans suite' }).click();
  assert.equal(await page.getByLabel('Raison du classement').getAttribute('aria-invalid'), 'true');
  assert.match(await page.locator('#close-erreur').textContent(), /Indiquez la raison/);
  await page.getByLabel('Raison du classement').fill('Demande faite en double.');
  await page.getByRole('button', { name: 'Classer sans suite' }).click();
  await page.waitForSelector('#recharger');
  assert.match(await page.locator('#action-status').textContent(), /Quelqu'un d'autre a modifié ce dossier/);
  await shot(page, '07-dossier-412');
  await click(page.getByRole('button', { name: 'Recharger le dossier' }));
  assert.match(await page.locator('#statut').textContent(), /En instruction/);
  assert.equal(await dossierStatus(d.id), 'en_instruction');
  noProblems(page);
});

test('"Dossier précédent" / "Dossier suivant" follow the list', async () => {
  await goto(page, '/app/');
  const refs = await page.locator('table#dossiers tbody th a').allTextContents();
  await click(page.getByRole('link', { name: refs[1], exact: true }));
  await click(page.getByRole('link', { name: 'Dossier suivant' }));
  assert.equal(await h1(), refs[2]);
  await click(page.getByRole('link', { name: 'Dossier précédent' }));
  await click(page.getByRole('link', { name: 'Dossier précédent' }));
  assert.equal(await h1(), refs[0]);
  assert.equal(await page.getByRole('link', { name: 'Dossier précédent' }).count(), 0);
});

test('messages: the thread and a form to write', async () => {
  const d = CREATED.dossiers.find((x) => x.org === ORGS.pass && x.status === 'recu') || CREATED.dossiers[0];
  await goto(page, `/app/dossiers/${d.id}`);
  await page.getByLabel('Message', { exact: true }).fill(`Bonjour, pouvez-vous rappeler la personne ? ${XSS}`);
  await page.getByRole('button', { name: 'Envoyer le message' }).click();
  await page.waitForFunction((x) => [...document.querySelectorAll('#fil-messages li .body')].some((e) => e.textContent.includes(x)), XSS);
  assert.equal(await page.locator('#fil-messages img').count(), 0);
  noProblems(page);
});

test('hostile data renders as text on every page that shows it', async () => {
  const d = await submitDossier(ORGS.pass, { applicant: { address: { line: XSS, postal_code: '17000', city: XSS } } });
  const sg = await apiCall('POST', '/v1/signalements', partnerToken(ORGS.pass), {
    person: { last_name: 'MARTIN', first_names: ['Paul'], birth_date: '1975-05-12', phone: '0600000001' },
    reasons: ['autre'], parcours: 'renoncement_soins', comment: XSS, consent: { obtained_on: '2026-11-30', informed: true } });
  assert.equal(sg.status, 202, sg.text);
  await waitFor(async () => (await apiCall('GET', `/v1/signalements/${sg.json.id}`, INSTR)).json.status === 'recu');
  for (const path of [`/app/dossiers/${d.id}`, `/app/signalements/${sg.json.id}`, '/app/', '/app/signalements']) {
    await goto(page, path);
    await page.waitForTimeout(200);
    assert.equal(await page.locator('main img').count(), 0, path);
    if (!path.endsWith('/') && !path.endsWith('signalements')) assert.ok((await mainText()).includes(XSS), path);
  }
  noProblems(page); // no alert() dialog, no CSP violation
});

test('"Signalements": a signalement taken in charge', async () => {
  await goto(page, '/app/signalements');
  assert.equal(await h1(), 'Signalements');
  const headers = await page.locator('table thead th').allTextContents();
  for (const h of ['Référence', 'Partenaire', 'Statut', 'Échéance']) assert.ok(headers.includes(h), h);
  assert.match(await page.locator('table tbody tr').first().textContent(), /Délai dépassé/);
  assert.match(await page.getByRole('navigation', { name: 'Statuts' }).textContent(), /Reçu \(\d+\)/);
  await axe(page, 'Signalements');
  await shot(page, '08-signalements');
  const row = page.locator('table tbody tr').filter({ hasText: 'Reçu' }).first();
  const ref = await row.locator('th a').textContent();
  await click(row.locator('th a'));
  assert.equal(await h1(), ref);
  await axe(page, 'Signalement');
  await shot(page, '09-signalement');
  await click(page.getByRole('button', { name: 'Prendre en charge' }));
  assert.match(await page.locator('#statut').textContent(), /Pris en charge/);
  assert.match(await page.locator('section[aria-labelledby="historique"]').textContent(), /Reçu → Pris en charge/);
  assert.match(await page.locator('section[aria-labelledby="echeances"]').textContent(), /Respecté|Délai dépassé/);
  noProblems(page);
});

test('"Rendez-vous" and "Demandes de document" with their transitions', async () => {
  await goto(page, '/app/rendez-vous');
  assert.equal(await h1(), 'Rendez-vous');
  await axe(page, 'Rendez-vous');
  await shot(page, '10-rendez-vous');
  const row = page.locator('table tbody tr').filter({ hasText: 'Demandé' }).first();
  await click(row.locator('th a'));
  await axe(page, 'Un rendez-vous');
  await shot(page, '11-rendez-vous-detail');
  await click(page.getByRole('button', { name: 'Rappelé' }));
  assert.match(await page.locator('#statut').textContent(), /Rappelé/);
  await click(page.getByRole('button', { name: 'Planifier' }));
  assert.match(await page.locator('#statut').textContent(), /Planifié/);

  await goto(page, '/app/demandes-document');
  assert.equal(await h1(), 'Demandes de document');
  await axe(page, 'Demandes de document');
  await shot(page, '12-demandes-document');
  const drow = page.locator('table tbody tr').filter({ hasText: 'Demandé' }).first();
  await click(drow.locator('th a'));
  await shot(page, '13-demande-document-detail');
  await page.getByLabel('Commentaire (facultatif)').fill('Envoyée par courrier le 1er décembre.');
  await click(page.getByRole('button', { name: 'Document envoyé' }));
  assert.match(await page.locator('#statut').textContent(), /Envoyé/);
  assert.match(await page.locator('main').textContent(), /Cette demande est close/);
  noProblems(page);
});

test('"Alertes" and "Partenaires"', async () => {
  await goto(page, '/app/alertes');
  assert.equal(await h1(), 'Alertes');
  const text = await mainText();
  assert.match(text, /Délai dépassé/);
  assert.match(text, /Alerte avant échéance/);
  assert.match(await page.locator('table tbody th a').first().textContent(), /^(Dossier|Signalement|Rendez-vous) (EP|SG|RV)-/);
  await axe(page, 'Alertes');
  await shot(page, '14-alertes');
  await goto(page, '/app/partenaires');
  assert.equal(await h1(), 'Partenaires');
  const rows = await page.locator('table tbody tr').allTextContents();
  assert.ok(rows.some((r) => /PASS de ville de La Rochelle.*En vigueur/.test(r)), rows.join('\n'));
  await axe(page, 'Partenaires');
  await shot(page, '15-partenaires');
  noProblems(page);
});

test('"Indicateurs": period and organisation chosen, charts with their data as tables, CSV', async () => {
  await goto(page, '/app/indicateurs?from=2026-01-01&to=2026-12-31');
  assert.equal(await h1(), 'Indicateurs');
  const captions = await page.locator('table.data-table caption').allTextContents();
  assert.ok(captions.includes('Dossiers transmis par prestation — données du graphique'), captions.join('\n'));
  const rows = await page.locator('section[aria-labelledby="ind-dossiers"] table.data-table tbody tr').allTextContents();
  assert.deepEqual(rows.map((r) => r.replace(/\d+/g, '').trim()), ['PUMa', 'Complémentaire santé solidaire', 'AME', 'Total']);
  const total = Number((rows[3].match(/\d+/) || ['0'])[0]);
  assert.ok(total > 0, 'dossiers transmitted in the period');
  assert.ok(await page.locator('table.charts-css').count() >= 5);
  // a bar's label is as wide as charts.css was told (--labels-size), not squeezed to nothing
  const labelWidths = await page.locator('table.charts-css tbody th').evaluateAll((ths) => ths.map((th) => th.getBoundingClientRect().width));
  assert.ok(labelWidths.every((w) => w >= 100), labelWidths.join(' '));
  // the date fields of a French browser: day, month, year, in French
  const fields = (await axTree(page)).filter((n) => n.role === 'spinbutton').map((n) => n.name.split(' ')[0]);
  assert.deepEqual(fields.slice(0, 6), ['Jour', 'Mois', 'Année', 'Jour', 'Mois', 'Année']);
  await axe(page, 'Indicateurs');
  await shot(page, '16-indicateurs');
  await page.getByLabel('Organisation', { exact: true }).selectOption({ label: 'CCAS de Rochefort' });
  await click(page.getByRole('button', { name: 'Afficher' }));
  assert.match(page.url(), new RegExp(`org=${ORGS.ccas}`));
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Exporter en CSV' }).click()]);
  const csv = readFileSync(await download.path(), 'utf8');
  assert.match(csv, /^org_id,org_name,indicator,label,value/);
  noProblems(page);
});

test('"Se déconnecter" forgets the session', async () => {
  await goto(page, '/app/');
  await click(page.getByRole('button', { name: 'Se déconnecter' }));
  assert.equal(await h1(), 'Connexion');
  assert.equal(await page.evaluate(() => sessionStorage.getItem('epart.token')), null);
  await axe(page, 'Connexion');
  await shot(page, '00-connexion');
});

test('an expired token brings the sign-in page back with a message', async () => {
  await signIn(page, instructorToken(-120));
  assert.equal(await h1(), 'Connexion');
  assert.match(await mainText(), /session a expiré/);
  assert.equal(await page.evaluate(() => sessionStorage.getItem('epart.token')), null);
  await shot(page, '00-connexion-session-expiree');
  // a token that expires while the page is open: the page's own check of exp
  const exp = Date.now() + 6000;
  await signIn(page, instructorToken(6));
  assert.equal(await h1(), 'Dossiers à instruire');
  await page.waitForTimeout(Math.max(0, exp - Date.now()) + 1200);
  await click(page.getByRole('link', { name: 'Signalements', exact: true }));
  assert.equal(await h1(), 'Connexion');
  assert.match(await mainText(), /session a expiré/);
  // a token the API refuses (401: signed with another secret) ends the session the same way
  const [head, body] = instructorToken().split('.');
  await signIn(page, `${head}.${body}.${Buffer.from('forged-signature-0123456789').toString('base64url')}`);
  assert.equal(await h1(), 'Connexion');
  assert.match(await mainText(), /session a expiré/);
  assert.equal(await page.evaluate(() => sessionStorage.getItem('epart.token')), null);
  noProblems(page);
});

const PAGES = () => {
  const d = CREATED.dossiers[0];
  const s = CREATED.signalements[0];
  const r = CREATED.rendez_vous[0];
  const q = CREATED.demandes_document[0];
  return [['Dossiers à instruire', '/app/'], ['Dossier', `/app/dossiers/${d.id}`], ['Signalements', '/app/signalements'],
    ['Signalement', `/app/signalements/${s.id}`], ['Rendez-vous', '/app/rendez-vous'], ['Un rendez-vous', `/app/rendez-vous/${r.id}`],
    ['Demandes de document', '/app/demandes-document'], ['Une demande de document', `/app/demandes-document/${q.id}`],
    ['Alertes', '/app/alertes'], ['Partenaires', '/app/partenaires'], ['Indicateurs', '/app/indicateurs']];
};

test('every page from 360 px wide, touch targets of 44 px, axe-core clean', async () => {
  const narrow = await newPage(browser, { width: 360, height: 740 });
  await signIn(narrow, INSTR);
  for (const [name, path] of PAGES()) {
    await goto(narrow, path);
    await checkNarrow(narrow, `${name} (360 px)`);
    await checkTableRoles(narrow, `${name} (360 px)`);
    await axe(narrow, `${name} (360 px)`);
    await shot(narrow, `360px-${path.split('/').filter(Boolean).slice(1, 2).join('') || 'dossiers-a-instruire'}${path.split('/').length > 3 ? '-detail' : ''}`);
  }
  await goto(narrow, '/app/connexion');
  await checkNarrow(narrow, 'Connexion (360 px)');
  noProblems(narrow);
  await narrow.context().close();
});

test('the first load of every page is under 300 KB compressed', async () => {
  for (const [name, path] of PAGES()) {
    const bytes = await firstLoadBytes(browser, path, INSTR);
    console.log(`first load of ${name} (${path}): ${bytes} bytes`);
    assert.ok(bytes > 1000 && bytes < 300 * 1024, `${name}: ${bytes} bytes`);
  }
});
