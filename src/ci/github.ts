/**
 * GitHub Actions' own views, used when GITHUB_ACTIONS=true: workflow commands on stdout
 * (`::error file=…,line=…,col=…::message`, `::group::`), the job's step summary
 * ($GITHUB_STEP_SUMMARY, Markdown, at most 1 MiB per step) and $GITHUB_ENV for later steps.
 * Text is escaped as the runner expects (%, CR, LF; in properties also `:` and `,`).
 */
import { appendFileSync, statSync } from 'node:fs';
import type { SourceLocation } from '../errors.js';

type Env = Readonly<Record<string, string | undefined>>;

export function isGitHubActions(env: Env): boolean {
  return env.GITHUB_ACTIONS === 'true';
}

function escapeData(text: string): string {
  return text.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

function escapeProperty(text: string): string {
  return escapeData(text).replace(/:/g, '%3A').replace(/,/g, '%2C');
}

export type AnnotationLevel = 'error' | 'warning' | 'notice';

export interface Annotation {
  level: AnnotationLevel;
  message: string;
  title?: string;
  /** File relative to the repository (the workspace), as GitHub shows it on the diff. */
  location?: SourceLocation;
}

/** `::error file=stack.yaml,line=12,col=5,title=…::message`. Line/col 0 (unknown) are left out. */
export function annotationCommand(annotation: Annotation): string {
  const properties: string[] = [];
  if (annotation.location?.file) {
    properties.push(`file=${escapeProperty(annotation.location.file)}`);
    if (annotation.location.line > 0) properties.push(`line=${annotation.location.line}`);
    if (annotation.location.col > 0) properties.push(`col=${annotation.location.col}`);
  }
  if (annotation.title) properties.push(`title=${escapeProperty(annotation.title)}`);
  return `::${annotation.level}${properties.length > 0 ? ` ${properties.join(',')}` : ''}::${escapeData(annotation.message)}`;
}

export function groupStart(title: string): string {
  return `::group::${escapeData(title)}`;
}

export const GROUP_END = '::endgroup::';

/** GitHub refuses a step summary over 1 MiB; stackctl keeps well under it. */
export const STEP_SUMMARY_LIMIT = 1024 * 1024;
const BUDGET = STEP_SUMMARY_LIMIT - 64 * 1024;

/**
 * Cuts Markdown at a line boundary to fit `budget` bytes, saying so in a last line (how much was
 * left out and where the whole report is), so a reader never mistakes a cut report for a whole one.
 */
export function truncateMarkdown(markdown: string, budget: number, whole?: string): string {
  if (Buffer.byteLength(markdown) <= budget) return markdown;
  const note = (omitted: number): string =>
    `\n\n> **Truncated:** ${omitted} more bytes of this report did not fit GitHub's 1 MiB step summary${whole ? `; the whole report is ${whole}` : ''}.\n`;
  const room = budget - Buffer.byteLength(note(Buffer.byteLength(markdown)));
  let kept = Buffer.from(markdown).subarray(0, Math.max(0, room)).toString('utf8');
  // A partial UTF-8 sequence decodes to U+FFFD; drop it with the partial line.
  const cut = kept.lastIndexOf('\n');
  kept = cut > 0 ? kept.slice(0, cut) : kept.replace(/\uFFFD+$/, '');
  return `${kept}${note(Buffer.byteLength(markdown) - Buffer.byteLength(kept))}`;
}

/** Appends to $GITHUB_STEP_SUMMARY, within what is left of the 1 MiB a step may write. Returns false when unset. */
export function appendStepSummary(env: Env, markdown: string, whole?: string): boolean {
  const file = env.GITHUB_STEP_SUMMARY;
  if (!file) return false;
  let used = 0;
  try {
    used = statSync(file).size;
  } catch {
    used = 0;
  }
  appendFileSync(file, `${truncateMarkdown(markdown, Math.max(1024, BUDGET - used), whole)}\n`);
  return true;
}

/** Appends `NAME=value` lines to $GITHUB_ENV (later steps see them). Returns false when unset. */
export function appendGitHubEnv(env: Env, lines: readonly string[]): boolean {
  const file = env.GITHUB_ENV;
  if (!file || lines.length === 0) return false;
  appendFileSync(file, `${lines.join('\n')}\n`);
  return true;
}
