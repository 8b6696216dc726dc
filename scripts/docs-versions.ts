// Writes docs/kubeadm-versions.md from src/catalog/versions.ts (npm run docs:versions).
import { writeFileSync } from "node:fs";
import { renderVersionsDoc } from "../src/catalog/versions-doc.ts";

writeFileSync(new URL("../docs/kubeadm-versions.md", import.meta.url), renderVersionsDoc());
