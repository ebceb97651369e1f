// agree.mjs — the C validators and the document's request schemas held against
// each other on the same corpus of valid and invalid bodies.
//
// The corpus: the seed bodies of tests/fuzz/corpus/dossier (each tried as
// every kind of body: a body of one kind is an invalid body of another),
// tests/contract/bodies.jsonl (valid and invalid bodies of every kind), and
// for each seed of its own kind a set of mutations at every member (removed,
// null, wrong JSON type, empty, blank, too long, control and invisible
// characters, unknown key, emptied or doubled arrays, out-of-range numbers,
// unreal and future dates). Each body goes through build/<mode>/bodycheck
// (the validators the API runs) and through Ajv with the schema the document
// gives that body.
//
// Whatever one accepts the other must accept, with one declared exception:
// the server may refuse what the schema allows only for the checks JSON
// Schema cannot express, written in each field's description (SERVER_ONLY:
// the NIR key, the SIRET Luhn key, dates not in the future or not before
// birth, an end before its start). A body the schema refuses and the server
// accepts is always a failure.
//
// Usage: node agree.mjs <openapi.json> <bodycheck binary>
import { readFileSync, readdirSync } from "node:fs";
import { spawnSync } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import Ajv2020 from "ajv/dist/2020.js";
import addFormats from "ajv-formats";

const here = dirname(fileURLToPath(import.meta.url));
const [docPath, bodycheck] = process.argv.slice(2);
const doc = JSON.parse(readFileSync(docPath, "utf8"));

const SCHEMA = {
  dossier: "DossierCreate", pieces: "PiecesBody", transition: "DossierTransition",
  message: "MessageCreate", signalement: "SignalementCreate", rendez_vous: "RendezVousCreate",
  demande_document: "DemandeDocumentCreate", request_transition: "RequestTransition",
  org_create: "OrganisationCreate", org_patch: "OrganisationPatch", agent: "AgentCreate",
  simulation: "SimulationRequest",
};
// fuzz seed file -> the kind of body it is
const SEED_KIND = {
  css_hospital: "dossier", puma_activite: "dossier", puma_residence: "dossier", spec_ame: "dossier",
  everything_wrong: "dossier", demande_document: "demande_document", message: "message",
  org_create: "org_create", org_laposte: "org_create", org_patch: "org_patch",
  pieces_body: "pieces", rendez_vous: "rendez_vous", request_transition: "request_transition",
  signalement: "signalement", t_accord: "transition", t_close: "transition",
  t_refus: "transition", t_request: "transition", t_start: "transition",
};
const SERVER_ONLY = new Set(["future_date", "invalid_range", "invalid_nir", "invalid_siret"]);

const ajv = new Ajv2020({ strict: false, allErrors: false, discriminator: true });
addFormats(ajv);
ajv.addSchema({ $id: "epart", components: doc.components }, "epart");
const validators = Object.fromEntries(Object.entries(SCHEMA).map(([k, n]) =>
  [k, ajv.getSchema("epart#/components/schemas/" + n)]));

// ---- the corpus
const cases = []; // [kind, body text]
const seeds = [];
const fuzzDir = join(here, "..", "fuzz", "corpus", "dossier");
for (const f of readdirSync(fuzzDir)) {
  const text = readFileSync(join(fuzzDir, f), "utf8");
  let body;
  try { body = JSON.parse(text); } catch { continue; }
  for (const kind of Object.keys(SCHEMA)) cases.push([kind, JSON.stringify(body)]);
  const kind = SEED_KIND[f.replace(/\.json$/, "")];
  if (kind) seeds.push([kind, body]);
}
for (const line of readFileSync(join(here, "bodies.jsonl"), "utf8").split("\n")) {
  if (!line.trim() || line.startsWith("#")) continue;
  const { kind, body } = JSON.parse(line);
  cases.push([kind, JSON.stringify(body)]);
  seeds.push([kind, body]);
}

const LONG = "a".repeat(5001);
const replacements = [null, 7, -1, 0, 1.5, 1e12, true, "", " ", "x", "2026-02-30", "2026-12-31",
  "1899-12-31", "2026-11-20", "ab\ncd", "a\u0000b", "a\u200bb", "é-l'a.b", LONG, [], [1], {},
  "0600000000", "puma", "00000", "2A004", "not@an@email", "a@b.fr"];
function* mutations(value) {
  if (Array.isArray(value)) {
    yield [];
    if (value.length) yield [...value, value[0]];
    for (let i = 0; i < value.length; i++)
      for (const m of mutations(value[i])) yield value.map((x, j) => (j === i ? m : x));
    return;
  }
  if (value !== null && typeof value === "object") {
    yield { ...value, unexpected_member: 1 };
    for (const k of Object.keys(value)) {
      const { [k]: _drop, ...rest } = value;
      yield rest;
      for (const r of replacements) yield { ...value, [k]: r };
      if (value[k] !== null && typeof value[k] === "object")
        for (const m of mutations(value[k])) yield { ...value, [k]: m };
    }
  }
}
const seen = new Set(cases.map(([k, t]) => k + "\t" + t));
for (const [kind, body] of seeds) {
  for (const m of mutations(body)) {
    const t = JSON.stringify(m);
    if (!seen.has(kind + "\t" + t)) { seen.add(kind + "\t" + t); cases.push([kind, t]); }
  }
}

// ---- both verdicts
const input = cases.map(([k, t]) => k + "\t" + t + "\n").join("");
const run = spawnSync(bodycheck, [], { input, maxBuffer: 1 << 30 });
if (run.status !== 0) { console.error("bodycheck failed: " + run.stderr); process.exit(1); }
const lines = run.stdout.toString().trimEnd().split("\n");
let disagree = 0, serverOnly = 0, accepted = 0;
const report = [];
cases.forEach(([kind, text], i) => {
  const [n, errs] = lines[i].split("\t");
  const cOk = Number(n) === 0;
  const sOk = validators[kind](JSON.parse(text));
  if (cOk) accepted++;
  if (cOk === sOk) return;
  const codes = JSON.parse(errs).map((e) => e.code);
  if (!cOk && sOk && codes.length && codes.every((c) => SERVER_ONLY.has(c))) { serverOnly++; return; }
  disagree++;
  if (report.length < 40)
    report.push(`${kind}: C ${cOk ? "accepts" : "refuses " + errs} / schema ${sOk ? "accepts" :
      "refuses " + ajv.errorsText(validators[kind].errors)}\n    ${text.slice(0, 400)}`);
});
for (const r of report) console.error("DISAGREE " + r);
console.log(`agreement: ${cases.length} bodies (${accepted} valid), ${disagree} disagreements, ` +
  `${serverOnly} refused by the server only for checks the schema cannot express`);
process.exit(disagree ? 1 : 0);
