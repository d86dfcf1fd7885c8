/**
 * Renderers for findings: human text grouped per service (colour only on a TTY), and the stable
 * `--json` document (schemaVersion 1, documented in docs/validate.md). Every text goes through the
 * stack's Redactor: no secret value ever reaches the output.
 */
import path from 'node:path';
import type { StackFormat } from '../config/model.js';
import { formatLocation, type SourceLocation } from '../errors.js';
import { Redactor } from '../secrets.js';
import { paint } from '../paint.js';
import type { Diagnostic, Severity } from '../diagnostic.js';

export const VALIDATE_JSON_SCHEMA_VERSION = 1;

export interface RenderInput {
  file: string;
  format: StackFormat;
  stackName?: string;
  serviceCount?: number;
  diagnostics: Diagnostic[];
  /** Does the outcome fail? (errors, or warnings under --strict) */
  failed: boolean;
  strict: boolean;
  redactor: Redactor;
  /** Paths are shown relative to this directory. */
  cwd: string;
  color: boolean;
  /** Print info findings too (default: counted in one line; --json always has them). */
  verbose?: boolean;
}

export interface Counts {
  errors: number;
  warnings: number;
  infos: number;
}

export function countFindings(diagnostics: readonly Diagnostic[]): Counts {
  return {
    errors: diagnostics.filter((d) => d.severity === 'error').length,
    warnings: diagnostics.filter((d) => d.severity === 'warning').length,
    infos: diagnostics.filter((d) => d.severity === 'info').length,
  };
}

type Style = 'red' | 'yellow' | 'blue' | 'bold' | 'dim' | 'green';

function painter(color: boolean): (style: Style, text: string) => string {
  const p = paint(color);
  return (style, text) => p[style](text);
}

export function displayLocation(location: SourceLocation, cwd: string): string {
  if (!path.isAbsolute(location.file)) return formatLocation(location);
  const relative = path.relative(cwd, location.file);
  // Shown relative to the working directory when inside it (or one level up), absolute otherwise.
  const file = relative === '' || relative.startsWith('../..') || path.isAbsolute(relative) ? location.file : relative;
  return formatLocation({ ...location, file });
}

const SEVERITY_STYLE: Record<Severity, Style> = { error: 'red', warning: 'yellow', info: 'blue' };

export function renderHuman(input: RenderInput): string {
  const paint = painter(input.color);
  const r = (text: string): string => input.redactor.redact(text);
  const lines: string[] = [];
  const groups = new Map<string, Diagnostic[]>();
  // Info is what the file does fine (keys stackctl does not apply, habits): quiet unless asked for.
  const hidden = input.verbose ? 0 : input.diagnostics.filter((d) => d.severity === 'info').length;
  for (const d of input.diagnostics) {
    if (d.severity === 'info' && !input.verbose) continue;
    const key = d.service ?? '';
    const list = groups.get(key) ?? [];
    list.push(d);
    groups.set(key, list);
  }
  for (const [service, findings] of groups) {
    lines.push(paint('bold', service === '' ? '(stack)' : service));
    for (const d of findings) {
      const severity = paint(SEVERITY_STYLE[d.severity], d.severity.padEnd(7));
      lines.push(`  ${severity} ${paint('bold', d.code)}  ${displayLocation(d.location, input.cwd)}: ${r(d.message)}`);
      if (d.hint) lines.push(`  ${' '.repeat(8)}${paint('dim', `hint: ${r(d.hint)}`)}`);
    }
    lines.push('');
  }
  if (hidden > 0) lines.push(paint('dim', `${hidden} note${hidden === 1 ? '' : 's'} (info) not shown: --verbose shows them`), '');
  const counts = countFindings(input.diagnostics);
  const what = input.stackName ? `${input.stackName} (${input.serviceCount ?? 0} service${input.serviceCount === 1 ? '' : 's'}, ${input.format === 'compose' ? 'compose file' : 'stack.yaml'})` : displayLocation({ file: input.file, line: 0, col: 0 }, input.cwd);
  const summary = `${counts.errors} error${counts.errors === 1 ? '' : 's'}, ${counts.warnings} warning${counts.warnings === 1 ? '' : 's'}`;
  if (input.failed) {
    const why = counts.errors === 0 && input.strict ? ' (warnings fail with --strict)' : '';
    lines.push(paint('red', `✖ ${what}: ${summary}${why}`));
  } else {
    lines.push(paint('green', `✔ ${what}: ${input.diagnostics.length === 0 ? 'no problems found' : `${summary}`}`));
  }
  return `${lines.join('\n')}\n`;
}

export interface ValidateJson {
  schemaVersion: number;
  file: string;
  format: StackFormat;
  stack: string | null;
  ok: boolean;
  strict: boolean;
  summary: Counts;
  diagnostics: Array<{
    code: string;
    severity: Severity;
    service: string | null;
    location: SourceLocation;
    message: string;
    hint: string;
    /** Present when one cause shows in several places (the first is `location`). */
    occurrences?: Array<{ service: string | null; location: SourceLocation }>;
  }>;
}

export function renderJson(input: RenderInput): string {
  const doc: ValidateJson = {
    schemaVersion: VALIDATE_JSON_SCHEMA_VERSION,
    file: input.file,
    format: input.format,
    stack: input.stackName ?? null,
    ok: !input.failed,
    strict: input.strict,
    summary: countFindings(input.diagnostics),
    diagnostics: input.diagnostics.map((d) => ({
      code: d.code,
      severity: d.severity,
      service: d.service ?? null,
      location: { file: d.location.file, line: d.location.line, col: d.location.col },
      message: d.message,
      hint: d.hint,
      ...(d.occurrences ? { occurrences: d.occurrences.map((o) => ({ service: o.service ?? null, location: { file: o.location.file, line: o.location.line, col: o.location.col } })) } : {}),
    })),
  };
  return `${JSON.stringify(input.redactor.redactValue(doc), null, 2)}\n`;
}
