/**
 * What CI systems show beside the code, built from stackctl's own values (findings, up results,
 * suite results), never from its printed text:
 *   - GitHub Actions annotations: `::error file=stack.yaml,line=12,col=5,title=ENV001::message`;
 *   - GitLab Code Quality: a JSON array of issues (`validate --format codequality`).
 * Paths are relative to the repository ($GITHUB_WORKSPACE / $CI_PROJECT_DIR, else the working
 * directory); every text goes through the Redactor.
 */
import { createHash } from 'node:crypto';
import path from 'node:path';
import type { Stack } from '../config/model.js';
import type { UpResult } from '../engine/results.js';
import type { SourceLocation } from '../errors.js';
import type { CheckResult } from '../report/model.js';
import type { Redactor } from '../secrets.js';
import type { Diagnostic } from '../diagnostic.js';
import { annotationCommand, type AnnotationLevel } from './github.js';

export interface AnnotationContext {
  /** Repository root the paths are made relative to. */
  root: string;
  redactor: Redactor;
}

export function repositoryRoot(env: Readonly<Record<string, string | undefined>>, cwd: string): string {
  return env.GITHUB_WORKSPACE || env.CI_PROJECT_DIR || cwd;
}

function relative(location: SourceLocation, root: string): SourceLocation {
  if (!location.file) return location;
  const file = path.relative(root, location.file);
  return { ...location, file: file.startsWith('..') ? location.file : file.split(path.sep).join('/') };
}

const LEVEL: Record<Diagnostic['severity'], AnnotationLevel> = { error: 'error', warning: 'warning', info: 'notice' };

/** One annotation per validate/load finding, with its hint. */
export function findingAnnotations(diagnostics: readonly Diagnostic[], context: AnnotationContext): string[] {
  return diagnostics.map((finding) =>
    annotationCommand({
      level: LEVEL[finding.severity],
      title: `${finding.code}${finding.service ? ` [${finding.service}]` : ''}`,
      message: context.redactor.redact(`${finding.message}${finding.hint ? `\nhint: ${finding.hint}` : ''}`),
      location: relative(finding.location, context.root),
    }),
  );
}

/** One error per service that failed or was blocked in `up`, at the service's place in the stack file. */
export function upAnnotations(stack: Stack, result: UpResult, context: AnnotationContext): string[] {
  return result.services
    .filter((service) => service.state === 'failed' || service.state === 'blocked')
    .map((service) => {
      const location = stack.services.find((candidate) => candidate.name === service.service)?.location;
      const cause = service.diagnosis?.rootCause;
      return annotationCommand({
        level: 'error',
        title: `${service.service} ${service.state}${cause ? ` (${cause.code})` : ''}`,
        message: context.redactor.redact(`${cause?.summary ?? service.state}${cause?.hint ? `\nhint: ${cause.hint}` : ''}`),
        ...(location ? { location: relative(location, context.root) } : {}),
      });
    });
}

/** One error per failed suite check, at the check's place in the suite file when known. */
export function checkAnnotations(checks: readonly CheckResult[], locations: ReadonlyMap<string, SourceLocation>, context: AnnotationContext): string[] {
  return checks
    .filter((check) => check.status === 'failed')
    .map((check) => {
      const location = locations.get(check.id);
      const hint = check.rootCause?.hint ?? check.hint;
      return annotationCommand({
        level: 'error',
        title: `${check.category} › ${check.name}`,
        message: context.redactor.redact(`${check.message ?? 'failed'}${hint ? `\nhint: ${hint}` : ''}`),
        ...(location ? { location: relative(location, context.root) } : {}),
      });
    });
}

const CODE_QUALITY_SEVERITY: Record<Diagnostic['severity'], string> = { error: 'major', warning: 'minor', info: 'info' };

/** GitLab's Code Quality report (a subset of Code Climate's format): one issue per finding. */
export function codeQualityReport(diagnostics: readonly Diagnostic[], context: AnnotationContext): string {
  const issues = diagnostics.map((finding) => {
    const location = relative(finding.location, context.root);
    const description = context.redactor.redact(`${finding.code}: ${finding.message}${finding.hint ? ` — hint: ${finding.hint}` : ''}`);
    return {
      type: 'issue',
      check_name: finding.code,
      description,
      categories: ['Bug Risk'],
      severity: CODE_QUALITY_SEVERITY[finding.severity],
      fingerprint: createHash('sha256').update(`${finding.code}\0${location.file}\0${location.line}\0${description}`).digest('hex'),
      location: { path: location.file, lines: { begin: Math.max(1, location.line) } },
    };
  });
  return `${JSON.stringify(issues, null, 2)}\n`;
}
