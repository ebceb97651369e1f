// check.mjs — the OpenAPI document held true by tools nobody here wrote:
//   1. validated as OpenAPI 3.1 by @seriousme/openapi-schema-validator (the
//      specification's own JSON Schemas), every $ref resolving;
//   2. every example it carries validated against its own schema by Ajv
//      (JSON Schema 2020-12, formats asserted);
//   3. TypeScript types generated from it by openapi-typescript, offline, and
//      compiled by tsc (build/contract/epart-api.d.ts, which the web
//      application may import).
//   4. with a third argument, the answers traffic.py sent straight to the API
//      (bodies Prism cannot carry) validated against the document with Ajv:
//      status listed, media type listed, body matching the schema.
// Usage: node check.mjs <openapi.json> <output directory> [direct.json]
import { readFileSync, writeFileSync, mkdirSync } from "node:fs";
import { execFileSync } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { Validator } from "@seriousme/openapi-schema-validator";
import Ajv2020 from "ajv/dist/2020.js";
import addFormats from "ajv-formats";
import openapiTS, { astToString } from "openapi-typescript";

const here = dirname(fileURLToPath(import.meta.url));
const [docPath, outDir, directPath] = process.argv.slice(2);
const doc = JSON.parse(readFileSync(docPath, "utf8"));
let failures = 0;
const fail = (m) => { failures++; console.error("FAIL " + m); };

// 1. OpenAPI 3.1
const validator = new Validator();
const res = await validator.validate(doc);
if (!res.valid) fail("not a valid OpenAPI 3.1 document: " + JSON.stringify(res.errors, null, 1).slice(0, 4000));
if (!doc.openapi.startsWith("3.1")) fail("openapi is " + doc.openapi);

// every $ref of the document resolves (a route row naming a schema nobody wrote)
const pointer = (ref) => ref.slice(2).split("/").reduce((o, k) => (o == null ? o : o[k.replace(/~1/g, "/").replace(/~0/g, "~")]), doc);
(function walk(node, where) {
  if (Array.isArray(node)) return node.forEach((x, i) => walk(x, where + "/" + i));
  if (node === null || typeof node !== "object") return;
  if (typeof node.$ref === "string" && (!node.$ref.startsWith("#/") || pointer(node.$ref) === undefined))
    fail(`${where}: $ref ${node.$ref} does not resolve`);
  for (const [k, v] of Object.entries(node)) walk(v, where + "/" + k);
})(doc, "#");

// 2. examples against their schemas
const ajv = new Ajv2020({ strict: false, allErrors: true, discriminator: true });
addFormats(ajv);
ajv.addSchema({ $id: "epart", components: doc.components }, "epart");
let examples = 0;
for (const [name, schema] of Object.entries(doc.components.schemas)) {
  let check;
  try {
    check = ajv.getSchema("epart#/components/schemas/" + name);
  } catch (e) {
    fail(`schema ${name} does not compile: ${e.message}`);
    continue;
  }
  for (const ex of schema.examples || []) {
    examples++;
    if (!check(ex)) fail(`example of ${name} does not match it: ${ajv.errorsText(check.errors)}`);
  }
}
// every operation describes its answers and, for POST/PUT/PATCH, its body
let operations = 0;
for (const [path, item] of Object.entries(doc.paths)) {
  for (const [method, op] of Object.entries(item)) {
    operations++;
    const codes = Object.keys(op.responses || {});
    const ok = codes.filter((c) => c.startsWith("2"));
    if (ok.length === 0) fail(`${method.toUpperCase()} ${path}: no success answer described`);
    for (const c of ok) {
      if (c !== "204" && !op.responses[c].content) fail(`${method.toUpperCase()} ${path}: ${c} has no content`);
    }
    if (["post", "put", "patch"].includes(method) && !op.requestBody)
      fail(`${method.toUpperCase()} ${path}: no request body described`);
    if (op.security?.length && !codes.includes("401")) fail(`${method.toUpperCase()} ${path}: no 401`);
  }
}

// 4. answers that did not go through Prism
if (directPath) {
  const direct = JSON.parse(readFileSync(directPath, "utf8"));
  for (const a of direct) {
    const op = doc.paths[a.path]?.[a.method];
    const resp = op?.responses?.[String(a.status)];
    if (!resp) { fail(`${a.where}: status ${a.status} not described`); continue; }
    const type = (a.content_type || "").split(";")[0].trim();
    const media = resp.content?.[type];
    if (!media) { fail(`${a.where}: media type ${type} not described for ${a.status}`); continue; }
    if (type.endsWith("json")) {
      const check = ajv.compile({ $ref: "epart#/components/schemas/" + media.schema.$ref.split("/").pop() });
      if (!check(JSON.parse(a.body))) fail(`${a.where}: ${ajv.errorsText(check.errors)}`);
    }
  }
  console.log(`direct answers: ${direct.length} checked`);
}

// 3. types, offline, compiled
mkdirSync(outDir, { recursive: true });
let ts;
try {
  ts = astToString(await openapiTS(doc));
} catch (e) {
  fail("openapi-typescript: " + e.message);
}
if (ts) {
  const out = join(outDir, "epart-api.d.ts");
  writeFileSync(out, ts);
  try {
    execFileSync(join(here, "node_modules", ".bin", "tsc"),
      ["--noEmit", "--strict", "--skipLibCheck", "false", out], { stdio: "pipe" });
  } catch (e) {
    fail("tsc on the generated types: " + (e.stdout || "") + (e.stderr || ""));
  }
  console.log(`types: ${out} (${ts.length} bytes)`);
}
console.log(`openapi: ${operations} operations, ${Object.keys(doc.components.schemas).length} schemas, ${examples} examples checked, ${failures} failures`);
process.exit(failures ? 1 : 0);
