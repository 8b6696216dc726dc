// Prints the import graph of src/ between its folders, every import that goes against the
// layers src/README.md names, and every import cycle between files. Exits 1 when it finds either.
//   node scripts/imports.mjs            the checks
//   node scripts/imports.mjs --folders  also each folder's imports, to redraw the map
// Type-only imports count: a layer that needs a type from above is still reaching up.
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";

const SRC = resolve(dirname(new URL(import.meta.url).pathname), "../src");
// Lower layers first. A folder may import any layer below its own; within a layer only where
// `peers` says so (the leaf modules, and the model: pki, cluster and catalog name each other's types).
// Keep this table and src/README.md's map the same.
const LAYERS = [
  { units: ["errors.ts", "text.ts", "yaml.ts", "style.ts"], peers: true },
  { units: ["store"] },
  { units: ["pki", "cluster", "catalog"], peers: true },
  { units: ["kube"] },
  { units: ["signer", "inspect", "check"] },
  { units: ["renew", "explain"] },
  { units: ["issue", "rotate"] },
  { units: ["report", "certs"] },
  { units: ["serve"] },
  { units: ["cli", "index.ts"] },
];
const layerOf = (unit) => LAYERS.findIndex((l) => l.units.includes(unit));
const allowed = (from, to) => layerOf(from) >= 0 && layerOf(to) >= 0 && (layerOf(to) < layerOf(from) || (layerOf(to) === layerOf(from) && LAYERS[layerOf(from)].peers === true));

const files = (dir) => readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? files(join(dir, e.name)) : e.name.endsWith(".ts") ? [join(dir, e.name)] : []));
const unitOf = (file) => relative(SRC, file).split("/")[0];

const graph = new Map();
for (const file of files(SRC)) {
  const text = readFileSync(file, "utf8");
  const targets = [...text.matchAll(/(?:from|import)\s*\(?\s*"(\.{1,2}\/[^"]+)"/g)].map((m) => resolve(dirname(file), m[1].replace(/\.js$/, ".ts")));
  graph.set(file, [...new Set(targets)]);
}

let bad = 0;
const folders = new Map();
for (const [file, targets] of graph) {
  for (const target of targets) {
    const from = unitOf(file), to = unitOf(target);
    if (from === to) continue;
    (folders.get(from) ?? folders.set(from, new Set()).get(from)).add(to);
    if (!allowed(from, to)) {
      console.log(`against the layers: ${relative(SRC, file)} -> ${relative(SRC, target)}`);
      bad++;
    }
  }
}

// Tarjan's strongly connected components: each with more than one file is a cycle.
let index = 0;
const stack = [], on = new Set(), idx = new Map(), low = new Map();
function visit(v) {
  idx.set(v, index); low.set(v, index); index++; stack.push(v); on.add(v);
  for (const w of graph.get(v) ?? []) {
    if (!graph.has(w)) continue;
    if (!idx.has(w)) { visit(w); low.set(v, Math.min(low.get(v), low.get(w))); }
    else if (on.has(w)) low.set(v, Math.min(low.get(v), idx.get(w)));
  }
  if (low.get(v) === idx.get(v)) {
    const scc = [];
    let w;
    do { w = stack.pop(); on.delete(w); scc.push(w); } while (w !== v);
    if (scc.length > 1) { console.log(`cycle: ${scc.map((f) => relative(SRC, f)).sort().join(" <-> ")}`); bad++; }
  }
}
for (const v of graph.keys()) if (!idx.has(v)) visit(v);

if (process.argv.includes("--folders")) for (const [from, to] of [...folders].sort()) console.log(`${from}: ${[...to].sort().join(", ")}`);
console.log(bad ? `${bad} problem(s)` : "layers ok, no cycles");
process.exitCode = bad ? 1 : 0;
