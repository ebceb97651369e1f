// partner.test.mjs — the space of a partner in Chromium (SPEC §12, issue 12
// item 6), against the real stack of test_browser.py: a PASS deposits an AME
// first request without transmitting it, prints the attestation and transmits
// it; a CCAS sends a PUMa dossier with a field missing, sees the error next to
// it, corrects it and gets the reference; the caisse asks for pieces, the
// partner answers in its space, the caisse decides, the partner sees the
// rights; a submission made with the keyboard only; a double click and a retry
// after a network error create one request; alerts and webhooks; axe-core and
// the 360 px check on every page; screenshots under var/screenshots/.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
// The suite's test clock is frozen at the demonstration's "now"
// (2026-12-01T09:00Z): dates typed in the forms are set explicitly, never the
// browser's today, which may be a later day.
import {
  launch, newPage, signIn, goto, ready, axe, shot, checkNarrow, checkTableRoles, noProblems,
  partnerToken, instructorToken, apiCall, waitFor, ORGS,
} from './lib.mjs';

let browser;
const PASS = ORGS.pass;
const CCAS = ORGS.ccas;
const PIECE = (name) => ({ name, mimeType: 'application/pdf', buffer: Buffer.from(`%PDF-1.4 ${name} ${Date.now()}`) });

before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

/** Every page of the space at 1280 px and at 360 px: axe-core clean, no
 *  horizontal scroll, touch targets of 44 px, a screenshot of each. */
async function checkPage(page, name, file) {
  await axe(page, name);
  await shot(page, file);
}

async function narrowCheck(path, tok, name, file) {
  const narrow = await newPage(browser, { width: 360, height: 740 });
  await signIn(narrow, tok, path);
  await checkNarrow(narrow, `${name} (360 px)`);
  await checkTableRoles(narrow, `${name} (360 px)`);
  await axe(narrow, `${name} (360 px)`);
  await shot(narrow, `${file}-360px`);
  noProblems(narrow);
  await narrow.context().close();
}

async function fillPerson(page, prefix, { last = 'DUPONT', first = 'Marie', birth = '1980-02-29', sex = 'Femme' } = {}) {
  await page.fill(`#f-${prefix}-last_name`, last);
  await page.fill(`#f-${prefix}-first_names`, first);
  if (birth) await page.fill(`#f-${prefix}-birth_date`, birth);
  if (sex) await page.getByRole('radio', { name: sex, exact: true }).check();
}

/** The status shown on a request's page (the badge of "Statut"). */
async function statusOf(page) {
  return page.locator('dl.facts dt:text-is("Statut") + dd').textContent();
}

function referenceOf(text) {
  const m = /([A-Z]{2}-\d{8}-\d{6})/.exec(text);
  return m && m[1];
}

test('"Mes demandes": the navigation of the space, every request newest first, filters, pages', async () => {
  const page = await newPage(browser);
  await signIn(page, partnerToken(PASS));
  assert.equal(await page.locator('h1').textContent(), 'Mes demandes');
  const nav = page.getByRole('navigation', { name: 'Navigation principale' });
  for (const name of ['Mes demandes', 'Nouveau dossier', 'Nouveau signalement', 'Demande de rendez-vous', 'Demande de document', 'Alertes', 'Webhooks']) {
    assert.equal(await nav.getByRole('link', { name, exact: true }).count(), 1, name);
  }
  const headers = await page.locator('table thead th').allTextContents();
  for (const t of ['Référence', 'Type', 'Statut', 'Échéance']) assert.ok(headers.includes(t), t);
  const api = await apiCall('GET', '/v1/demandes?limit=25', partnerToken(PASS));
  const refs = await page.locator('table tbody th a').allTextContents();
  assert.deepEqual(refs, api.json.items.map((x) => x.reference), 'the rows are the API\'s, in its order');
  await checkPage(page, 'Mes demandes', '20-mes-demandes');
  // filter by kind: only signalements, then keyset pages
  await page.selectOption('#f-kind', 'signalement');
  await page.getByRole('button', { name: 'Filtrer' }).click();
  await ready(page);
  const types = await page.locator('table tbody td[data-label="Type"]').allTextContents();
  assert.ok(types.length > 0 && types.every((t) => t === 'Signalement'), types.join());
  await page.selectOption('#f-kind', '');
  await page.selectOption('#f-status', 'depose');
  await page.getByRole('button', { name: 'Filtrer' }).click();
  await ready(page);
  const statuses = await page.locator('table tbody td[data-label="Statut"]').allTextContents();
  assert.ok(statuses.length > 0 && statuses.every((t) => t === 'Déposé'), statuses.join());
  noProblems(page);
  await page.context().close();
  await narrowCheck('/app/espace/demandes', partnerToken(PASS), 'Mes demandes', '20-mes-demandes');
});

test('PASS: AME first request deposited without transmitting, attestation printed, then transmitted', async () => {
  const page = await newPage(browser);
  await signIn(page, partnerToken(PASS), '/app/espace/nouveau-dossier');
  assert.equal(await page.locator('h1').textContent(), 'Nouveau dossier');
  assert.equal(await page.locator('form#form-dossier').getAttribute('novalidate'), '');
  await page.getByRole('radio', { name: 'AME', exact: true }).check();
  await page.getByLabel('Première demande').check();
  await page.getByRole('radio', { name: /Enregistrer le dépôt seulement/ }).check();
  assert.equal(await page.locator('#f-deposited_on').isVisible(), true);
  assert.equal(await page.locator('#f-situation-puma_start').isVisible(), false, 'CSS fields hidden for AME');
  assert.equal(await page.locator('#f-situation-puma_criterion').isVisible(), false, 'PUMa fields hidden for AME');
  await page.fill('#f-deposited_on', '2026-11-28');
  await fillPerson(page, 'applicant', { last: 'KOUASSI', first: 'Awa, Marie' });
  await page.fill('#f-situation-irregular_since', '2026-05-02');
  await page.getByRole('group', { name: /ressources sont-elles sous le plafond/ }).getByRole('radio', { name: 'Oui' }).check();
  await page.selectOption('#f-pieces-0--kind', 'identite');
  await page.setInputFiles('#f-pieces-0--filename', PIECE('passeport.pdf'));
  await page.getByRole('button', { name: 'Ajouter une pièce' }).click();
  await page.selectOption('#f-pieces-1--kind', 'justificatif_ressources');
  await page.setInputFiles('#f-pieces-1--filename', PIECE('ressources.pdf'));
  await page.fill('#f-consent-obtained_on', '2026-11-28');
  await page.getByLabel(/La personne a été informée/).check();
  await checkPage(page, 'Nouveau dossier (AME)', '21-nouveau-dossier-ame');
  await page.getByRole('button', { name: 'Envoyer', exact: true }).click();
  await page.getByRole('heading', { name: 'Demande envoyée' }).waitFor();
  const ref = referenceOf(await page.locator('main').textContent());
  assert.match(ref, /^EP-/);
  await checkPage(page, 'Nouveau dossier envoyé', '22-nouveau-dossier-envoye');
  await page.getByRole('link', { name: `Voir la demande ${ref}` }).click();
  await ready(page);
  assert.equal(await page.locator('h1').textContent(), ref);
  await waitFor(async () => {
    await page.reload(); await ready(page);
    return (await page.locator('main').textContent()).includes('Transmission');
  });
  assert.equal(await statusOf(page), 'Déposé');
  await checkPage(page, 'Dossier déposé', '23-dossier-depose');
  // the attestation: fetched with the token, opened from memory (never a URL with the token)
  const [popup] = await Promise.all([
    page.waitForEvent('popup'),
    page.getByRole('button', { name: 'Imprimer l’attestation de dépôt' }).click(),
  ]);
  await popup.waitForFunction(() => document.readyState === 'complete' && location.protocol === 'blob:');
  const text = await popup.locator('body').textContent();
  assert.match(text, /Attestation de dépôt/);
  assert.ok(text.includes(ref) && text.includes('KOUASSI') && text.includes('28/11/2026') && text.includes('PASS de ville de La Rochelle'), text);
  assert.ok(!popup.url().includes('token') && !popup.url().includes('eyJ'), popup.url());
  await popup.screenshot({ path: `${process.env.EPART_SCREENSHOTS}/24-attestation-depot.png`, fullPage: true });
  await popup.close();
  // transmit
  await page.getByRole('button', { name: 'Transmettre à la caisse' }).click();
  await page.getByRole('button', { name: 'Transmettre à la caisse' }).waitFor({ state: 'detached' });
  assert.equal(await statusOf(page), 'Reçu');
  assert.match(await page.locator('main').textContent(), /Dossier transmis à la caisse/);
  await shot(page, '23-dossier-transmis');
  noProblems(page);
  await page.context().close();
});

test('CCAS: a PUMa dossier with a missing field, the error next to it, corrected, the reference', async () => {
  const page = await newPage(browser);
  await signIn(page, partnerToken(CCAS), '/app/espace/nouveau-dossier');
  await page.getByRole('radio', { name: 'PUMa', exact: true }).check();
  // an AME first request is not offered to a CCAS
  await page.getByRole('radio', { name: 'AME', exact: true }).check();
  assert.equal(await page.getByLabel('Première demande').isVisible(), false);
  assert.match(await page.locator('#ame-non-habilitee').textContent(), /pas habilitée/);
  await page.getByRole('radio', { name: 'PUMa', exact: true }).check();
  await fillPerson(page, 'applicant', { last: 'MARTIN', first: 'Paul', birth: null, sex: 'Homme' });
  await page.fill('#f-applicant-nir', '1 80 02 17 300 123 45'); // a wrong key
  await page.getByRole('radio', { name: 'Résidence stable en France' }).check();
  assert.equal(await page.locator('#f-situation-activity_start').isVisible(), false);
  await page.fill('#f-situation-residence_since', '2025-06-01');
  await page.getByRole('group', { name: /séjourne-t-elle régulièrement/ }).getByRole('radio', { name: 'Oui' }).check();
  await page.selectOption('#f-pieces-0--kind', 'identite');
  await page.setInputFiles('#f-pieces-0--filename', PIECE('cni.pdf'));
  await page.fill('#f-consent-obtained_on', '2026-11-30');
  await page.getByLabel(/La personne a été informée/).check();
  await page.getByRole('button', { name: 'Envoyer', exact: true }).click();
  const birth = page.locator('#f-applicant-birth_date');
  await page.locator('.error-summary').waitFor();
  assert.equal(await birth.getAttribute('aria-invalid'), 'true');
  const described = (await birth.getAttribute('aria-describedby')).split(' ');
  assert.ok(described.includes('f-applicant-birth_date-error'), described.join());
  assert.ok((await page.locator('#f-applicant-birth_date-error').textContent()).length > 5);
  assert.equal(await page.evaluate(() => document.activeElement.id), 'f-applicant-birth_date', 'focus on the first field in error');
  assert.equal(await page.locator('#f-applicant-nir').getAttribute('aria-invalid'), 'true', 'the NIR key checked by the API');
  // nothing typed was lost
  assert.equal(await page.inputValue('#f-applicant-last_name'), 'MARTIN');
  assert.equal(await page.inputValue('#f-situation-residence_since'), '2025-06-01');
  assert.equal(await page.locator('#f-pieces-0--filename').evaluate((el) => el.files.length), 1);
  await checkPage(page, 'Nouveau dossier avec erreurs', '25-nouveau-dossier-erreurs');
  await page.fill('#f-applicant-birth_date', '1980-02-15');
  await page.fill('#f-applicant-nir', '');
  await page.getByRole('button', { name: 'Envoyer', exact: true }).click();
  await page.getByRole('heading', { name: 'Demande envoyée' }).waitFor();
  const ref = referenceOf(await page.locator('main').textContent());
  assert.match(ref, /^EP-/);
  noProblems(page);
  await page.context().close();
  await narrowCheck('/app/espace/nouveau-dossier', partnerToken(CCAS), 'Nouveau dossier', '21-nouveau-dossier');
});

test('pieces asked for by the caisse, sent from the space; the decision and the rights shown', async () => {
  const ptok = partnerToken(CCAS);
  const itok = instructorToken();
  const body = {
    prestation: 'puma', first_request: true, transmit: true,
    applicant: { last_name: 'BERNARD', first_names: ['Luc'], birth_date: '1970-03-01', sex: 'M' },
    situation: { puma_criterion: 'residence', residence_since: '2025-01-10', regular_stay: true },
    pieces: [{ kind: 'identite', filename: 'cni.pdf', sha256: 'a'.repeat(64), size: 1000 }],
    consent: { obtained_on: '2026-11-30', informed: true },
  };
  const c = await apiCall('POST', '/v1/dossiers', ptok, body);
  assert.equal(c.status, 202, c.text);
  const id = c.json.id;
  const tr = (action, extra = {}) => apiCall('POST', `/v1/dossiers/${id}/transitions`, itok, { action, ...extra });
  assert.ok(await waitFor(async () => (await tr('start_instruction')).status === 200));
  assert.equal((await tr('request_pieces', { pieces: ['justificatif_domicile'], message: 'Merci de joindre un justificatif de domicile.' })).status, 200);
  const page = await newPage(browser);
  await signIn(page, ptok, `/app/espace/demandes/dossier/${id}`);
  assert.equal(await page.locator('h1').textContent(), c.json.reference);
  assert.match(await page.locator('main').textContent(), /Pièces demandées/);
  assert.match(await page.locator('main').textContent(), /Merci de joindre un justificatif de domicile/);
  assert.equal(await page.inputValue('#f-pieces-0--kind'), 'justificatif_domicile');
  await page.setInputFiles('#f-pieces-0--filename', PIECE('facture-edf.pdf'));
  await checkPage(page, 'Dossier, pièces demandées', '26-dossier-pieces-demandees');
  await page.getByRole('button', { name: 'Envoyer les pièces' }).click();
  await page.getByRole('button', { name: 'Envoyer les pièces' }).waitFor({ state: 'detached' });
  assert.match(await page.locator('main').textContent(), /Pièces envoyées : le dossier reprend son instruction/);
  assert.equal(await statusOf(page), 'En instruction');
  // a message to the caisse, and its answer
  await page.fill('#f-body', 'Bonjour, la facture est au nom de son hébergeant.');
  await page.getByRole('button', { name: 'Envoyer le message' }).click();
  await page.locator('.thread li', { hasText: 'au nom de son hébergeant' }).waitFor();
  assert.equal((await apiCall('POST', `/v1/dossiers/${id}/messages`, itok, { body: 'Bien reçu, merci.' })).status, 202);
  const d = await tr('decide', { decision: 'accord' });
  assert.equal(d.status, 200, d.text);
  await page.reload();
  await ready(page);
  const main = await page.locator('main').textContent();
  assert.match(main, /Décision et droits/);
  assert.match(main, /Accord/);
  assert.match(main, /Droits ouverts/);
  assert.ok(main.includes('Bien reçu, merci.'));
  assert.equal(await statusOf(page), 'Accordé');
  await checkPage(page, 'Dossier décidé', '27-dossier-decide');
  noProblems(page);
  await page.context().close();
  await narrowCheck(`/app/espace/demandes/dossier/${id}`, ptok, 'Dossier décidé', '27-dossier-decide');
});

test('a document request sent with the keyboard only', async () => {
  const page = await newPage(browser);
  await signIn(page, partnerToken(CCAS), '/app/espace/demande-document');
  assert.equal(await page.locator('h1').textContent(), 'Demande de document');
  const tabTo = async (selector) => {
    for (let i = 0; i < 80; i++) {
      if (await page.evaluate((s) => document.activeElement && document.activeElement.matches(s), selector)) return;
      await page.keyboard.press('Tab');
    }
    throw new Error(`focus never reached ${selector}`);
  };
  await tabTo('#f-person-last_name');
  await page.keyboard.type('LEROY');
  await page.keyboard.press('Tab');
  await page.keyboard.type('Jeanne');
  await page.keyboard.press('Tab');
  await page.keyboard.type('15031962');
  await tabTo('#f-document');
  await page.keyboard.press('ArrowDown');
  await tabTo('input[name=channel]');
  await page.keyboard.press('Space');
  await tabTo('button[type=submit]');
  await page.keyboard.press('Enter');
  await page.getByRole('heading', { name: 'Demande envoyée' }).waitFor();
  const ref = referenceOf(await page.locator('main').textContent());
  assert.match(ref, /^DD-/);
  assert.equal(await page.evaluate(() => document.activeElement.textContent), 'Demande envoyée');
  await page.keyboard.press('Tab');
  assert.equal(await page.evaluate(() => document.activeElement.textContent), `Voir la demande ${ref}`);
  await page.keyboard.press('Enter');
  await ready(page);
  assert.equal(await page.locator('h1').textContent(), ref);
  await checkPage(page, 'Demande de document', '28-demande-document');
  noProblems(page);
  await page.context().close();
  await narrowCheck('/app/espace/demande-document', partnerToken(CCAS), 'Demande de document', '28-demande-document-form');
});

test('a signalement: the 26 parcours by label; a double click and a retry after a network error create one', async () => {
  const page = await newPage(browser);
  await signIn(page, partnerToken(CCAS), '/app/espace/nouveau-signalement');
  assert.equal(await page.locator('h1').textContent(), 'Nouveau signalement');
  const options = await page.locator('#f-parcours option:not([value=""])').allTextContents();
  assert.equal(options.length, 26);
  assert.ok(options.includes('Renoncement aux soins') && options.includes('Inclusion numérique'));
  await fillPerson(page, 'person', { last: 'NGUYEN', first: 'Linh', sex: null });
  await page.getByLabel('Sans complémentaire santé').check();
  await page.getByLabel('Difficulté avec le numérique').check();
  await page.selectOption('#f-parcours', { label: 'Renoncement aux soins' });
  await page.fill('#f-comment', '<img src=x onerror=alert(1)> reste du texte');
  await page.fill('#f-consent-obtained_on', '2026-11-30');
  await page.getByLabel(/La personne a été informée/).check();
  await checkPage(page, 'Nouveau signalement', '29-nouveau-signalement');
  const before = (await apiCall('GET', '/v1/demandes?kind=signalement&limit=500', partnerToken(CCAS))).json.items.length;
  // the first answer is lost on the way back: the API did create it
  let posts = 0;
  await page.route('**/v1/signalements', async (route) => {
    posts += 1;
    if (posts === 1) {
      await route.fetch();
      await route.abort('connectionreset');
    } else {
      await route.continue();
    }
  });
  await page.getByRole('button', { name: 'Envoyer', exact: true }).dblclick();
  await page.locator('.error-summary').waitFor();
  assert.match(await page.locator('.error-summary').textContent(), /ne sera pas enregistrée deux fois/);
  assert.equal(posts, 1, 'a double click sends once');
  await page.getByRole('button', { name: 'Envoyer', exact: true }).click();
  await page.getByRole('heading', { name: 'Demande envoyée' }).waitFor();
  const ref = referenceOf(await page.locator('main').textContent());
  assert.match(ref, /^SG-/);
  const afterItems = await waitFor(async () => {
    const l = (await apiCall('GET', '/v1/demandes?kind=signalement&limit=500', partnerToken(CCAS))).json.items;
    return l.length > before ? l : null;
  });
  await new Promise((r) => setTimeout(r, 1000));
  const final = (await apiCall('GET', '/v1/demandes?kind=signalement&limit=500', partnerToken(CCAS))).json.items;
  assert.equal(final.length, before + 1, 'one signalement only');
  assert.ok(afterItems.some((x) => x.reference === ref));
  await page.unroute('**/v1/signalements');
  await page.getByRole('link', { name: `Voir la demande ${ref}` }).click();
  await ready(page);
  const main = await page.locator('main').textContent();
  assert.ok(main.includes('<img src=x onerror=alert(1)> reste du texte'), 'shown as text');
  assert.equal(await page.locator('main img').count(), 0);
  assert.match(main, /Renoncement aux soins/);
  await checkPage(page, 'Signalement', '30-signalement');
  noProblems(page);
  await page.context().close();
  await narrowCheck('/app/espace/nouveau-signalement', partnerToken(CCAS), 'Nouveau signalement', '29-nouveau-signalement');
});

test('a rendez-vous request', async () => {
  const page = await newPage(browser);
  await signIn(page, partnerToken(PASS), '/app/espace/demande-rendez-vous');
  assert.equal(await page.locator('h1').textContent(), 'Demande de rendez-vous');
  await fillPerson(page, 'person', { last: 'SOW', first: 'Aminata', sex: null });
  await page.fill('#f-site', 'Accueil de La Rochelle');
  await page.fill('#f-reason', 'Ouverture de droits CSS');
  await page.fill('#f-availability', 'mardi matin\njeudi après 14 h');
  await checkPage(page, 'Demande de rendez-vous', '31-demande-rendez-vous');
  await page.getByRole('button', { name: 'Envoyer', exact: true }).click();
  await page.getByRole('heading', { name: 'Demande envoyée' }).waitFor();
  assert.match(referenceOf(await page.locator('main').textContent()), /^RV-/);
  noProblems(page);
  await page.context().close();
  await narrowCheck('/app/espace/demande-rendez-vous', partnerToken(PASS), 'Demande de rendez-vous', '31-demande-rendez-vous');
});

test('alerts of the organisation; a webhook created (secret shown once), its deliveries, deleted', async () => {
  const page = await newPage(browser);
  await signIn(page, partnerToken(PASS), '/app/espace/alertes');
  assert.equal(await page.locator('h1').textContent(), 'Alertes');
  const api = await apiCall('GET', '/v1/alerts?limit=50', partnerToken(PASS));
  assert.equal(await page.locator('table tbody tr').count(), api.json.items.length);
  await checkPage(page, 'Alertes', '32-alertes');
  await goto(page, '/app/espace/webhooks');
  assert.equal(await page.locator('h1').textContent(), 'Webhooks');
  await page.getByRole('button', { name: 'Créer le webhook' }).click();
  await page.locator('.error-summary').waitFor();
  assert.equal(await page.locator('#f-url').getAttribute('aria-invalid'), 'true');
  await page.fill('#f-url', 'http://127.0.0.1:9/epart-hook');
  await page.getByRole('button', { name: 'Créer le webhook' }).click();
  await page.getByRole('heading', { name: 'Webhook créé' }).waitFor();
  const secret = await page.locator('code.secret').textContent();
  assert.match(secret, /^whsec_/);
  await page.getByRole('link', { name: 'Livraisons du webhook http://127.0.0.1:9/epart-hook' }).first().waitFor();
  await checkPage(page, 'Webhooks', '33-webhooks');
  await page.getByRole('link', { name: 'Livraisons du webhook http://127.0.0.1:9/epart-hook' }).first().click();
  await ready(page);
  assert.equal(await page.locator('h1').textContent(), 'Livraisons du webhook');
  assert.ok(!(await page.locator('main').textContent()).includes(secret), 'the secret is never shown again');
  await checkPage(page, 'Livraisons du webhook', '34-webhook-livraisons');
  await narrowCheck(new URL(page.url()).pathname, partnerToken(PASS), 'Livraisons du webhook', '34-webhook-livraisons');
  await goto(page, '/app/espace/webhooks');
  assert.ok(!(await page.locator('main').textContent()).includes(secret));
  await page.getByRole('button', { name: 'Supprimer le webhook http://127.0.0.1:9/epart-hook' }).first().click();
  await page.getByRole('button', { name: 'Confirmer la suppression' }).click();
  await page.getByText('Webhook http://127.0.0.1:9/epart-hook supprimé.').waitFor();
  noProblems(page);
  await page.context().close();
  await narrowCheck('/app/espace/alertes', partnerToken(PASS), 'Alertes', '32-alertes');
  await narrowCheck('/app/espace/webhooks', partnerToken(PASS), 'Webhooks', '33-webhooks');
});

test('another organisation\'s request is not found in the space', async () => {
  const own = (await apiCall('GET', '/v1/demandes?limit=1', partnerToken(PASS))).json.items[0];
  const page = await newPage(browser);
  await signIn(page, partnerToken(CCAS), `/app/espace/demandes/${own.kind}/${own.id}`);
  assert.equal(await page.locator('h1').textContent(), 'Demande introuvable');
  assert.ok(!(await page.locator('main').textContent()).includes(own.reference));
  noProblems(page);
  await page.context().close();
});
