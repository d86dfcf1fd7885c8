import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { LOAD_CODES, RULES } from '../../../src/validate/registry.js';
import { ruleTableMarkdown } from '../../../src/validate/rule-table.js';

describe('rule registry', () => {
  it('has unique, well-formed codes and names', () => {
    const codes = [...LOAD_CODES.map((c) => c.code), ...RULES.map((r) => r.code)];
    expect(new Set(codes).size).toBe(codes.length);
    for (const code of codes) expect(code).toMatch(/^[A-Z]+\d{3}$/);
    const names = RULES.map((r) => r.name);
    expect(new Set(names).size).toBe(names.length);
    for (const rule of RULES) expect(rule.summary.length).toBeGreaterThan(10);
  });

  it('says, per rule, what it deliberately leaves alone (the severity policy: no false errors)', () => {
    for (const rule of RULES) expect(rule.leavesAlone.length, rule.code).toBeGreaterThan(10);
    const doc = readFileSync(path.resolve(__dirname, '../../../docs/validate.md'), 'utf8');
    expect(doc).toContain('### Severity policy');
    expect(doc).toContain('| code | severity | name | what it catches | what it deliberately leaves alone |');
  });

  it('docs/validate.md carries the generated rule table (run node scripts/gen-rule-table.mjs after adding a rule)', () => {
    const doc = readFileSync(path.resolve(__dirname, '../../../docs/validate.md'), 'utf8');
    const table = doc.slice(doc.indexOf('<!-- rule-table:start -->') + '<!-- rule-table:start -->\n'.length, doc.indexOf('<!-- rule-table:end -->'));
    expect(table).toBe(ruleTableMarkdown());
  });
});
