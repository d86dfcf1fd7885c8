/**
 * Why a check failed, traced to a service. When the check could not reach its service (refused,
 * reset, timed out) or a gateway answered 502/503/504, or the check's service is known to be down,
 * the failure carries that service's diagnosis — the one `stackctl up` made, or the one made by
 * inspecting its container — as the root cause. A blocked service's cause is its failed dependency's.
 */
import type { Diagnosis } from '../diagnose/model.js';
import type { CheckRootCause } from '../report/model.js';
import type { Outcome } from './checks/outcome.js';

export interface KnownDiagnosis {
  diagnosis: Diagnosis;
  /** `up`: handed over by `stackctl up`; `runtime`: found by inspecting the containers. */
  source: 'up' | 'runtime';
}

export type Diagnoses = ReadonlyMap<string, KnownDiagnosis>;

const GATEWAY_STATUSES = new Set([502, 503, 504]);

/** The diagnosis explaining `service`, following `blocked by` to the service that actually failed. */
export function explain(service: string, diagnoses: Diagnoses): CheckRootCause | undefined {
  const known = diagnoses.get(service);
  if (!known) return undefined;
  let root = known;
  const seen = new Set([service]);
  while (root.diagnosis.state === 'blocked' && root.diagnosis.blockedBy && !seen.has(root.diagnosis.blockedBy)) {
    const next = diagnoses.get(root.diagnosis.blockedBy);
    if (!next) break;
    seen.add(root.diagnosis.blockedBy);
    root = next;
  }
  const cause = root.diagnosis.rootCause;
  const blocked = root !== known || known.diagnosis.state === 'blocked';
  const result: CheckRootCause = {
    service,
    source: known.source,
    code: cause.code,
    summary: cause.summary,
    hint: cause.hint,
  };
  if (cause.evidence) result.evidence = cause.evidence;
  if (blocked) result.blockedBy = root.diagnosis.service !== service ? root.diagnosis.service : (known.diagnosis.blockedBy ?? service);
  return result;
}

export function rootCauseFor(
  check: { service?: string },
  outcome: Outcome,
  targetService: string | undefined,
  diagnoses: Diagnoses,
): CheckRootCause | undefined {
  if (outcome.status !== 'failed') return undefined;
  const unreachable = outcome.transportError !== undefined;
  const gateway = outcome.response !== undefined && GATEWAY_STATUSES.has(outcome.response.status);
  const candidates = [...new Set([targetService, check.service].filter((s): s is string => s !== undefined))];
  if (unreachable || gateway) {
    // The service we connected to first; then the one the check is about (behind a gateway).
    for (const service of candidates) {
      const cause = explain(service, diagnoses);
      if (cause) return cause;
    }
  } else if (check.service) {
    // The check got an answer, but its service is known to be down: that is still the likeliest cause.
    const cause = explain(check.service, diagnoses);
    if (cause) return cause;
  }
  if (unreachable) {
    const where = outcome.target ? `${outcome.target.host}:${outcome.target.port}` : 'the service';
    const service = targetService ?? check.service ?? 'unknown';
    return {
      service,
      source: 'check',
      code: outcome.transportError === 'timeout' ? 'timeout' : 'connection-refused',
      summary: outcome.transportError === 'timeout' ? `no answer from ${where} in time` : `nothing accepted the connection on ${where}`,
      hint:
        outcome.transportError === 'timeout'
          ? `${service} is up but does not answer: see \`stackctl logs ${service}\``
          : `is the stack up? \`stackctl ps\` shows what runs; \`stackctl up\` starts it`,
    };
  }
  return undefined;
}
