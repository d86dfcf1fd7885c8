/**
 * The engine's side of diagnosis: it hands a FailureContext to the classifier (src/diagnose) and
 * derives the `blocked by` diagnoses itself. If the classifier itself fails, a plain diagnosis from
 * the container's state keeps the failure explained (never an empty result).
 */
import { blockedDiagnosis as classifierBlocked, failureRecord } from '../diagnose/diagnose-service.js';
import type { Diagnosis, RootCause } from '../diagnose/model.js';
import { errorMessage } from '../errors.js';
import type { Runtime } from '../runtime/runtime.js';
import type { FailureContext } from './failure.js';

export type DiagnoseFn = (context: FailureContext, runtime: Runtime) => Promise<Diagnosis>;

export const LOG_TAIL = 20;

/** A service not started because `root` failed (directly or through the services between them). */
export function blockedDiagnosis(service: string, root: string, rootDiagnosis: Diagnosis | undefined): Diagnosis {
  return classifierBlocked(service, root, rootDiagnosis);
}

function plainCause(context: FailureContext): RootCause {
  const summary = errorMessage(context.error);
  switch (context.phase) {
    case 'build':
      return { code: 'build-failed', summary, hint: 'read the build output above; fix the Dockerfile or the context' };
    case 'pull':
      return { code: 'image-not-found', summary, hint: 'build the image locally or make a registry reachable' };
    case 'exit':
      return { code: 'exited', summary, hint: 'read the last log lines: the process stopped by itself' };
    case 'probe':
    case 'timeout':
      return { code: 'probe-timeout', summary, hint: 'the service did not answer its readiness probe in time; read its logs' };
    default:
      return { code: 'unknown', summary, hint: 'read the error and the container logs' };
  }
}

/** A diagnosis from the container's state alone (used when the classifier is unavailable or fails). */
export async function plainDiagnosis(context: FailureContext, runtime: Runtime): Promise<Diagnosis> {
  const info = context.containerId ? await runtime.inspectContainer(context.containerId).catch(() => undefined) : undefined;
  const logs = context.containerId ? await runtime.logs(context.containerId, LOG_TAIL).catch(() => '') : '';
  const diagnosis: Diagnosis = {
    service: context.service,
    state: 'failed',
    lastLogLines: logs.split('\n').filter((line) => line.length > 0).slice(-LOG_TAIL),
    rootCause: info?.oomKilled
      ? { code: 'oom-killed', summary: 'the container was killed for lack of memory', hint: 'raise its memory limit or lower its use' }
      : plainCause(context),
  };
  if (info) {
    diagnosis.container = { status: info.status, oomKilled: info.oomKilled, restartCount: info.restartCount };
    if (info.exitCode !== undefined) diagnosis.container.exitCode = info.exitCode;
  }
  if (context.probe) {
    diagnosis.probe = { attempts: context.probe.attempts };
    if (context.probe.lastError !== undefined) diagnosis.probe.lastError = context.probe.lastError;
    // Already redacted by the probe and the wait; carried as data like the classifier's diagnosis.
    if (context.probe.lastFailure !== undefined) diagnosis.probe.failure = failureRecord(context.probe.lastFailure, (text) => text);
  }
  return diagnosis;
}

export async function diagnoseSafely(diagnose: DiagnoseFn, context: FailureContext, runtime: Runtime): Promise<Diagnosis> {
  try {
    return await diagnose(context, runtime);
  } catch {
    return plainDiagnosis(context, runtime);
  }
}
