// Usage: node asl-lint.mjs NODE_MODULES_DIR FILE.asl.json...
//
// Reports the diagnostics of amazon-states-language-service (the checker
// behind the AWS Toolkit's ASL editor: JSON schema, state references,
// JSONata) for each file and exits 1 if there is any. The service reports
// schema violations as warnings and its own checks as errors; both fail.
// NODE_MODULES_DIR is where the package was installed, outside the repository.

import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join, resolve } from "node:path";

const [modules, ...files] = process.argv.slice(2);
if (!modules || files.length === 0) {
  console.error("usage: node asl-lint.mjs NODE_MODULES_DIR FILE.asl.json...");
  process.exit(2);
}
const require = createRequire(join(resolve(modules), "noop.js"));
const { getLanguageService, TextDocument, DiagnosticSeverity } = require("amazon-states-language-service");

const severity = {
  [DiagnosticSeverity.Error]: "error",
  [DiagnosticSeverity.Warning]: "warning",
  [DiagnosticSeverity.Information]: "info",
  [DiagnosticSeverity.Hint]: "hint",
};

const service = getLanguageService({});
let problems = 0;
for (const file of files) {
  const doc = TextDocument.create(`file://${resolve(file)}`, "json", 1, readFileSync(file, "utf8"));
  const diagnostics = await service.doValidation(doc, service.parseJSONDocument(doc));
  for (const d of diagnostics) {
    const { line, character } = d.range.start;
    console.error(`${file}:${line + 1}:${character + 1}: ${severity[d.severity] ?? "error"}: ${d.message}`);
  }
  problems += diagnostics.length;
  if (diagnostics.length === 0) {
    console.log(`${file}: no diagnostics`);
  }
}
process.exit(problems === 0 ? 0 : 1);
