/** The rule table of docs/validate.md, generated from the registry (`stackctl validate --list-rules`). */
import { LOAD_CODES, RULES } from './registry.js';

export function ruleTableMarkdown(): string {
  const rows = [
    '| code | severity | name | what it catches | what it deliberately leaves alone |',
    '|---|---|---|---|---|',
    ...LOAD_CODES.map((c) => `| \`${c.code}\` | ${c.severity} | (loading) | ${escape(c.summary)} | ${escape(c.leavesAlone ?? '—')} |`),
    ...RULES.map((r) => `| \`${r.code}\` | ${r.severity} | ${r.name} | ${escape(r.summary)} | ${escape(r.leavesAlone)} |`),
  ];
  return `${rows.join('\n')}\n`;
}

export function ruleListText(): string {
  const width = Math.max(...RULES.map((r) => r.code.length), ...LOAD_CODES.map((c) => c.code.length));
  const lines = [
    ...LOAD_CODES.map((c) => `${c.code.padEnd(width)}  ${c.severity.padEnd(7)}  ${c.summary}`),
    ...RULES.map((r) => `${r.code.padEnd(width)}  ${r.severity.padEnd(7)}  ${r.summary}`),
  ];
  return `${lines.join('\n')}\n`;
}

function escape(text: string): string {
  return text.replace(/\|/g, '\\|');
}
