// Validates Kubernetes manifests (a multi-document YAML stream on stdin, e.g. the output of
// `kubectl kustomize`) against the Kubernetes API: types, required fields and enums with the JSON
// schemas of the npm package kubernetes-models, and unknown fields (a misspelt key is otherwise
// silently ignored by the API server) against the API's models in @kubernetes/client-node.
// Prints one line per problem and exits 1 when there is any.
//   kubectl kustomize deploy/kubernetes/overlays/us | node deploy/kubernetes/validate.mjs
// The packages: .ci/install-test-tools.sh installs them (pinned) into .ci/node_modules.
import { readFileSync } from "node:fs";
import { parseAllDocuments } from "yaml";
import * as api from "@kubernetes/client-node";

/** Field names the API does not know, anywhere in value (of the client-node model type). */
function unknownFields(value, type, path, out) {
  if (value === null || value === undefined) return;
  let match;
  if ((match = /^Array<(.+)>$/.exec(type))) {
    if (Array.isArray(value)) value.forEach((item, i) => unknownFields(item, match[1], `${path}[${i}]`, out));
    return;
  }
  if ((match = /^\{ \[key: string\]: (.+); \}$/.exec(type))) {
    if (typeof value === "object") for (const [key, item] of Object.entries(value)) unknownFields(item, match[1], `${path}.${key}`, out);
    return;
  }
  const model = api[type];
  if (!model || typeof model.getAttributeTypeMap !== "function" || typeof value !== "object" || Array.isArray(value)) return;
  const fields = new Map(model.getAttributeTypeMap().map((attribute) => [attribute.baseName, attribute.type]));
  for (const [key, item] of Object.entries(value)) {
    if (!fields.has(key)) out.push(`${path}.${key}: unknown field (not in ${type})`);
    else unknownFields(item, fields.get(key), `${path}.${key}`, out);
  }
}

const input = readFileSync(0, "utf8");
let problems = 0;
let checked = 0;
for (const document of parseAllDocuments(input)) {
  if (document.errors.length > 0) {
    document.errors.forEach((error) => console.log(`YAML: ${error.message}`));
    problems += document.errors.length;
    continue;
  }
  const manifest = document.toJS();
  if (manifest == null) continue;
  const { apiVersion, kind } = manifest;
  const name = `${kind} ${manifest.metadata?.namespace ?? ""}/${manifest.metadata?.name ?? "?"}`;
  const [group, version] = apiVersion.includes("/") ? apiVersion.split("/") : [null, apiVersion];
  const modulePath = group ? `kubernetes-models/${group}/${version}` : `kubernetes-models/${version}`;
  let models;
  try {
    models = await import(modulePath);
  } catch (error) {
    console.log(`${name}: unknown apiVersion ${apiVersion}`);
    problems++;
    continue;
  }
  const Model = models[kind];
  if (!Model) {
    console.log(`${name}: unknown kind ${kind} in ${apiVersion}`);
    problems++;
    continue;
  }
  try {
    new Model(manifest).validate();
  } catch (error) {
    console.log(`${name}: ${error.message}`);
    problems++;
    continue;
  }
  const root = version.charAt(0).toUpperCase() + version.slice(1) + kind;
  if (!api[root]) {
    console.log(`${name}: no API model ${root} to check its fields against`);
    problems++;
    continue;
  }
  const unknown = [];
  unknownFields(manifest, root, kind, unknown);
  unknown.forEach((problem) => console.log(`${name}: ${problem}`));
  problems += unknown.length;
  if (unknown.length === 0) checked++;
}
console.log(`${checked} manifests valid, ${problems} problems`);
process.exit(problems > 0 || checked === 0 ? 1 : 0);
