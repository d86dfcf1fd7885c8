#!/usr/bin/env node
/**
 * Regenerates the rule table in docs/validate.md from the rule registry (between the
 * `<!-- rule-table:start -->` and `<!-- rule-table:end -->` markers). Needs the compiled dist/.
 *   node scripts/gen-rule-table.mjs          rewrite the table
 *   node scripts/gen-rule-table.mjs --check  exit 1 when the table is out of date
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const { ruleTableMarkdown } = await import(path.join(root, 'dist/validate/rule-table.js'));
const doc = path.join(root, 'docs/validate.md');
const text = readFileSync(doc, 'utf8');
const start = '<!-- rule-table:start -->';
const end = '<!-- rule-table:end -->';
const from = text.indexOf(start);
const to = text.indexOf(end);
if (from < 0 || to < from) {
  console.error(`docs/validate.md lacks the ${start} … ${end} markers`);
  process.exit(2);
}
const next = `${text.slice(0, from + start.length)}\n${ruleTableMarkdown()}${text.slice(to)}`;
if (process.argv.includes('--check')) {
  if (next !== text) {
    console.error('docs/validate.md: the rule table is out of date; run node scripts/gen-rule-table.mjs');
    process.exit(1);
  }
  console.log('docs/validate.md: rule table up to date');
} else {
  writeFileSync(doc, next);
  console.log('docs/validate.md: rule table regenerated');
}
