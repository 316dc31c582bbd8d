// The docs name the test that holds each claim as `file.test.mjs › describe › test name` (a
// fragment may stand for the rest of a name with `…`). This checks every such reference against
// the names the test runner actually reported, so a renamed or deleted test cannot leave a claim
// pointing at nothing. Rust references (`file.rs › fn_name`) are checked against the file's source.
// Plain Node (no npm dependencies).
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export const DOCS = ['README.md', 'docs/security.md', 'docs/performance.md', 'docs/fidelity.md', 'docs/design.md'];

const stripAnsi = (s) => s.replace(/\x1b\[[0-9;?]*[A-Za-z]/g, '');

/** The names of suites and tests in `node --test --test-reporter=spec` output. */
export function reportedNames(output) {
  const names = new Set();
  for (const line of stripAnsi(output).split('\n')) {
    const m = /^\s*(?:✔|✖|▶|﹣)\s+(.*?)(?:\s+\([\d.]+m?s\))?(?:\s+#.*)?$/.exec(line);
    if (m) names.add(m[1].trim());
  }
  return [...names];
}

/**
 * Every `file › name › …` reference of a doc: { doc, file, parts } where parts are the names after
 * the file, each a list of literal fragments (split at `…`). A reference that starts with `›`
 * continues the file of the reference before it in the same paragraph.
 */
export function references(doc, text) {
  const refs = [];
  for (const paragraph of text.split(/\n\s*\n/)) {
    const flat = paragraph.replace(/\n\s*/g, ' ');
    let file;
    for (const m of flat.matchAll(/`([^`]*›[^`]*)`/g)) {
      const segments = m[1].split('›').map((s) => s.trim());
      const [head] = segments;
      if (/\.(?:test\.mjs|rs)$/.test(head)) file = head;
      else if (head !== '' || !file) continue; // prose that happens to hold a ›
      const parts = segments.slice(1).map((s) => s.split('…').map((f) => f.trim()).filter(Boolean)).filter((p) => p.length);
      refs.push({ doc, file, parts, text: m[1] });
    }
  }
  return refs;
}

/** The references of `docs` (paths under `root`) that name no reported test. */
export function missingReferences(root, nodeOutput, docs = DOCS) {
  const names = reportedNames(nodeOutput);
  const missing = [];
  let count = 0;
  for (const doc of docs) {
    const path = join(root, doc);
    if (!existsSync(path)) continue;
    for (const ref of references(doc, readFileSync(path, 'utf8'))) {
      count += 1;
      if (ref.file.endsWith('.rs')) {
        const source = existsSync(join(root, 'tests', ref.file)) ? readFileSync(join(root, 'tests', ref.file), 'utf8')
          : existsSync(join(root, ref.file)) ? readFileSync(join(root, ref.file), 'utf8') : undefined;
        const ok = source !== undefined && ref.parts.every((fragments) => fragments.every((f) => source.includes(`fn ${f}`)));
        if (!ok) missing.push(ref);
        continue;
      }
      if (!existsSync(join(root, 'tests', ref.file))) {
        missing.push(ref);
        continue;
      }
      // Each part is one reported name that holds all of its fragments, in order.
      const found = ref.parts.every((fragments) => names.some((name) => {
        let at = 0;
        for (const fragment of fragments) {
          const i = name.indexOf(fragment, at);
          if (i < 0) return false;
          at = i + fragment.length;
        }
        return true;
      }));
      if (!found) missing.push(ref);
    }
  }
  return { count, missing };
}
