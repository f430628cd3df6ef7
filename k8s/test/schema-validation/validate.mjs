// Validates Kubernetes manifests (multi-document YAML files, e.g. `kubectl kustomize` output)
// against the schemas of their kinds: Kubernetes' own (kubernetes-models, from the Kubernetes
// OpenAPI), Strimzi's CRDs (@kubernetes-models/strimzi-kafka-operator, from strimzi-crds-0.49.0)
// and the Prometheus Operator's CRDs (@kubernetes-models/prometheus-operator). Types and formats,
// required fields and enumerations are checked; like kubeconform without -strict, fields a schema
// does not know are not reported. A kind without a schema is an error.
// Usage: node validate.mjs FILE...   (exit 1 when anything is invalid)
import { readFileSync } from "node:fs";
import { parseAllDocuments } from "yaml";

const packages = {
  "kafka.strimzi.io": "@kubernetes-models/strimzi-kafka-operator",
  "core.strimzi.io": "@kubernetes-models/strimzi-kafka-operator",
  "monitoring.coreos.com": "@kubernetes-models/prometheus-operator",
};

let failed = 0;
let checked = 0;
for (const file of process.argv.slice(2)) {
  for (const doc of parseAllDocuments(readFileSync(file, "utf8"))) {
    const o = doc.toJS();
    if (!o) continue;
    const [group, version] = o.apiVersion.includes("/") ? o.apiVersion.split("/") : ["", o.apiVersion];
    const pkg = packages[group] ?? "kubernetes-models";
    const path = group === "" ? `${pkg}/${version}/${o.kind}` : `${pkg}/${group}/${version}/${o.kind}`;
    const what = `${o.kind} ${o.metadata?.name} (${file})`;
    let Model;
    try {
      Model = (await import(path))[o.kind];
    } catch (e) {
      console.log(`NO SCHEMA ${o.apiVersion} ${what}: ${e.message}`);
      failed++;
      continue;
    }
    try {
      new Model(o).validate();
      checked++;
      console.log(`valid ${o.apiVersion} ${what}`);
    } catch (e) {
      failed++;
      console.log(`INVALID ${o.apiVersion} ${what}: ${e.message}`);
    }
  }
}
console.log(`${checked} valid, ${failed} invalid`);
process.exit(failed || checked === 0 ? 1 : 0);
