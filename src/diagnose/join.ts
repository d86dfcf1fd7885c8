/**
 * Joins what validate says about the file with what the services did: a failure and the finding
 * that explains it are one root cause, shown once with every service it hit (NOAUTH in two
 * redis clients + CRED001 "REDIS_URL without password" = one cause, two services). Pure.
 */
import type { Diagnostic } from '../diagnostic.js';
import type { RootCause, RootCauseCode } from './model.js';

/** Which validation codes can explain a runtime root cause (in the failing service's own findings). */
export const EXPLAINED_BY: Partial<Record<RootCauseCode, readonly string[]>> = {
  'redis-auth': ['CRED001', 'CRED004', 'ENV004'],
  'postgres-auth': ['CRED002', 'CRED003', 'CRED004', 'ENV004'],
  'http-auth-refused': ['ENV004'],
  'module-not-found': ['BUILD003', 'BUILD004', 'BUILD005', 'BUILD006'],
  'editable-outside-context': ['BUILD004', 'BUILD006'],
  'build-failed': ['BUILD001', 'BUILD002', 'BUILD003', 'BUILD004', 'BUILD005', 'BUILD006'],
  'dependency-refused': ['COMPOSE101', 'COMPOSE102', 'URL002', 'URL003', 'URL004', 'DEP003'],
  'dependency-unresolved': ['URL001', 'NET001'],
  'missing-env': ['ENV001', 'ENV002', 'ENV003'],
  'address-in-use': ['PORT001', 'PORT002'],
  'image-not-found': ['SVC001'],
};

/** Causes that are usually one mistake repeated across services: grouped even without a finding. */
const SHARED: ReadonlySet<RootCauseCode> = new Set(['redis-auth', 'postgres-auth', 'http-auth-refused', 'image-not-found']);

export interface FindingRef {
  code: string;
  severity: string;
  service?: string;
  /** file:line:col */
  location: string;
  message: string;
  hint: string;
}

export interface RootCauseGroup {
  code: RootCauseCode;
  summary: string;
  /** The finding's fix when the file is at fault (it names the line), else the classifier's. */
  fix: string;
  /** Services it hit, in the order they were diagnosed. */
  services: string[];
  evidence: Array<{ service: string; line: string }>;
  /** Validation findings that explain it. */
  findings: FindingRef[];
}

export interface ServiceCause {
  service: string;
  cause: RootCause;
}

export function findingRef(diagnostic: Diagnostic, locate: (d: Diagnostic) => string): FindingRef {
  const ref: FindingRef = { code: diagnostic.code, severity: diagnostic.severity, location: locate(diagnostic), message: diagnostic.message, hint: diagnostic.hint };
  if (diagnostic.service !== undefined) ref.service = diagnostic.service;
  return ref;
}

export function joinCauses(causes: readonly ServiceCause[], findings: readonly FindingRef[]): { groups: RootCauseGroup[]; unexplained: FindingRef[] } {
  const groups = new Map<string, RootCauseGroup>();
  const used = new Set<FindingRef>();
  for (const { service, cause } of causes) {
    const codes = EXPLAINED_BY[cause.code] ?? [];
    const explaining = findings.filter((finding) => finding.service === service && codes.includes(finding.code));
    const key = explaining.length > 0 ? `${cause.code}|${[...new Set(explaining.map((f) => f.code))].sort().join(',')}` : SHARED.has(cause.code) ? cause.code : `${cause.code}|${service}`;
    let group = groups.get(key);
    if (!group) {
      group = { code: cause.code, summary: cause.summary, fix: explaining[0]?.hint ?? cause.hint, services: [], evidence: [], findings: [] };
      groups.set(key, group);
    }
    group.services.push(service);
    if (cause.evidence) group.evidence.push({ service, line: cause.evidence });
    for (const finding of explaining) {
      used.add(finding);
      group.findings.push(finding);
    }
  }
  const unexplained = findings.filter((finding) => !used.has(finding));
  return { groups: [...groups.values()], unexplained };
}
