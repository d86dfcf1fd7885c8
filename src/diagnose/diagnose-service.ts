/**
 * A failed service → its Diagnosis: what the container did (state, exit code, OOM, restarts), what it
 * said (last log lines), how the probe fared (attempts, last error), and the classified root cause
 * with a hint. Pure: the engine gathers the facts (runtime.inspectContainer, runtime.logs, the error
 * that ended the service) and passes them in; everything that leaves is redacted.
 *
 * Precedence: an engine error that says it all (image missing, port taken, name clash) → OOM kill →
 * what the texts show (build output, the error, the logs, the probe's last error; classify.ts) →
 * a failed build's step → an exit code → a probe that ran out of time → unknown.
 */
import { ProbeTimeoutError, StackctlError, errorMessage } from '../errors.js';
import type { Stack } from '../config/model.js';
import type { ContainerInfo } from '../runtime/runtime.js';
import { ImageBuildError, ImageNotFoundError, NotOwnedError, PortInUseError, StaleContainerError, UnsupportedBuildFeatureError, isStaleStartError } from '../runtime/errors.js';
import { ProbeDeadlineError, ProbeGaveUpError } from '../probes/errors.js';
import type { ProbeFailure } from '../probes/probe-failure.js';
import { causeRank, classifyText, type ClassifyContext } from './classify.js';
import { classifyProbeFailure, serviceWords } from './classify-probe.js';
import type { Diagnosis, ProbeFailureRecord, RootCause } from './model.js';

/** Anything that can redact a text (the stack's Redactor is one). */
export interface TextRedactor {
  redact(text: string): string;
}

export interface DiagnoseInput {
  service: string;
  /** The container's state after the failure, if it was created. */
  container?: ContainerInfo;
  /** The container's last output (lines or one text). */
  logs?: string | string[];
  /**
   * Probe attempts, last error and — when the probe said why — its last failure as data (read as
   * such, not re-parsed); taken from a ProbeTimeoutError `error` when absent.
   */
  probe?: { attempts: number; lastError?: string; lastFailure?: ProbeFailure };
  /** The error that ended the service: build, pull, create/start, probe. */
  error?: unknown;
  stack?: Stack;
  redactor?: TextRedactor;
  /** Log lines kept in the diagnosis (default 20). */
  tailLines?: number;
}

const SIGNALS: Record<number, string> = { 130: 'SIGINT', 134: 'SIGABRT', 137: 'SIGKILL', 139: 'SIGSEGV', 143: 'SIGTERM' };

function toLines(logs: string | string[] | undefined): string[] {
  if (logs === undefined) return [];
  const lines = Array.isArray(logs) ? logs.flatMap((line) => line.split('\n')) : logs.split('\n');
  return lines.map((line) => line.replace(/\r$/, '')).filter((line) => line.trim() !== '');
}

function exitedCause(container: ContainerInfo, lastLine: string | undefined): RootCause {
  const code = container.exitCode ?? -1;
  const signal = SIGNALS[code];
  const restarts = container.restartCount > 0 ? ` after ${container.restartCount} restart${container.restartCount === 1 ? '' : 's'}` : '';
  const cause: RootCause = {
    code: 'exited',
    summary: `exited with code ${code}${signal ? ` (${signal})` : ''}${restarts}`,
    hint:
      code === 137
        ? 'it was killed (SIGKILL) without being out of memory: something stopped it (docker kill, a stop timeout)'
        : 'the last log lines say why it stopped; run it by hand with `stackctl logs` to see more',
  };
  if (lastLine) cause.evidence = lastLine.trim().slice(0, 300);
  return cause;
}

function engineErrorCause(error: unknown): RootCause | undefined {
  if (error instanceof ImageNotFoundError) {
    return {
      code: 'image-not-found',
      summary: error.message,
      hint: error.registryUnreachable
        ? 'give the service a build: section (stackctl builds it) or load the image with docker load; no registry is reachable from this engine'
        : 'check the image name and tag, or build/load it',
    };
  }
  if (error instanceof PortInUseError) {
    const port = error.hostPort === undefined ? 'the port' : `port ${error.hostPort}`;
    return {
      code: 'address-in-use',
      summary: `host ${port} is already in use`,
      hint: error.hint ?? `free ${port} or publish the service on another one`,
      evidence: errorMessage(error),
    };
  }
  if (error instanceof NotOwnedError) {
    return { code: 'not-owned', summary: error.message, hint: error.hint ?? 'remove or rename it yourself' };
  }
  if (error instanceof StaleContainerError) {
    return { code: 'engine-start-error', summary: error.message, hint: error.hint ?? 'recreate the container (`stackctl up`)', evidence: error.engineError };
  }
  if (error instanceof UnsupportedBuildFeatureError) {
    return { code: 'build-failed', summary: error.message, hint: error.hint ?? 'change the build section' };
  }
  return undefined;
}

/** The engine's own start error, recorded on the container: the logs only show the previous run ending. */
function startErrorCause(container: ContainerInfo): RootCause | undefined {
  if (!container.startError || container.status === 'running') return undefined;
  const stale = isStaleStartError(container.startError);
  return {
    code: 'engine-start-error',
    summary: `the engine could not start it (exit code ${container.exitCode ?? '?'}): ${container.startError}`,
    hint: stale
      ? 'leftover engine state (after an engine restart or crash): `stackctl up` recreates the container, keeping its volumes'
      : 'the engine refused to start the container: the error says what it needs (a network, a mount, a device); its logs are of an earlier run',
    evidence: container.startError.slice(0, 300),
  };
}

function buildFailedCause(error: ImageBuildError): RootCause {
  const reason = error.outputTail.at(-1) ?? error.message;
  return {
    code: 'build-failed',
    summary: error.step ? `image build failed at ${error.step}` : 'image build failed before its first step',
    hint: error.hint ?? 'fix the Dockerfile or the build context',
    evidence: reason.trim().slice(0, 300),
  };
}

function probeTimeoutCause(probe: { attempts: number; lastError?: string }, error: unknown): RootCause {
  const seconds = error instanceof ProbeTimeoutError ? /after ([\d.]+s)/.exec(error.message)?.[1] : undefined;
  return {
    code: 'probe-timeout',
    summary: `not ready${seconds ? ` after ${seconds}` : ''} (${probe.attempts} probe attempt${probe.attempts === 1 ? '' : 's'})${probe.lastError ? `: ${probe.lastError}` : ''}`,
    hint: 'the container runs but never passed its readiness probe: the last probe error and the log lines say what it waits for; raise readiness.timeout only if it is just slow',
  };
}

/** A ProbeTimeoutError's record, with the failure data a probe's wait attaches (ProbeGaveUpError, ProbeDeadlineError). */
function probeOf(error: ProbeTimeoutError): NonNullable<DiagnoseInput['probe']> {
  const lastFailure = error instanceof ProbeGaveUpError || error instanceof ProbeDeadlineError ? error.lastFailure : undefined;
  return {
    attempts: error.attempts,
    ...(error.lastError === undefined ? {} : { lastError: error.lastError }),
    ...(lastFailure === undefined ? {} : { lastFailure }),
  };
}

/** The failure as the diagnosis carries it: its data, with the other side's words redacted (the message is `lastError`). */
export function failureRecord(failure: ProbeFailure, redact: (text: string) => string): ProbeFailureRecord {
  const record: ProbeFailureRecord = { probe: failure.probe, kind: failure.kind, detail: redact(failure.detail) };
  if (failure.auth !== undefined) record.auth = failure.auth;
  if (failure.user !== undefined) record.user = redact(failure.user);
  if (failure.database !== undefined) record.database = redact(failure.database);
  if (failure.status !== undefined) record.status = failure.status;
  if (failure.headers !== undefined) record.headers = failure.headers.map(redact);
  return record;
}

function redactCause(cause: RootCause, redact: (text: string) => string): RootCause {
  const out: RootCause = { code: cause.code, summary: redact(cause.summary), hint: redact(cause.hint) };
  if (cause.evidence !== undefined) out.evidence = redact(cause.evidence);
  return out;
}

export function diagnose(input: DiagnoseInput): Diagnosis {
  const redact = (text: string): string => (input.redactor ? input.redactor.redact(text) : text);
  const { container, error } = input;
  const logLines = toLines(input.logs);
  const probe = input.probe ?? (error instanceof ProbeTimeoutError ? probeOf(error) : undefined);
  // A give-up carries the container's state at the moment it exited.
  const state = container ?? (error instanceof ProbeGaveUpError ? error.container : undefined);
  const context: ClassifyContext = { service: input.service, ...(input.stack ? { stack: input.stack } : {}) };

  const buildLines = error instanceof ImageBuildError ? [...error.outputTail, error.message] : [];
  const errorText = error !== undefined && !(error instanceof ProbeTimeoutError) && !(error instanceof ImageBuildError) ? errorMessage(error) : undefined;

  let rootCause: RootCause | undefined = engineErrorCause(error);
  if (!rootCause && state?.oomKilled) {
    rootCause = {
      code: 'oom-killed',
      summary: `killed for lack of memory (OOM, exit code ${state.exitCode ?? 137})`,
      hint: 'the container used more memory than it may: raise its memory limit or find what grows (the last log lines show where it was)',
    };
  }
  // A start error the classifier knows (a host port taken, …) is that cause; otherwise the engine's words.
  if (!rootCause && state?.startError && state.status !== 'running') rootCause = classifyText([state.startError], context);
  if (!rootCause && state) rootCause = startErrorCause(state);
  // The probe's failure is read as data; only the service's own words it brought back (an HTTP body,
  // a command's output) are classified as text. A probe record without that data (a healthcheck's
  // output, an older caller) is classified as text, as before.
  const failure = probe?.lastFailure;
  const probeText = failure ? serviceWords(failure) : probe?.lastError;
  if (!rootCause) {
    const fromText = classifyText([...buildLines, errorText, ...logLines, probeText], context);
    const fromProbe = failure ? classifyProbeFailure(failure, context) : undefined;
    // The more specific cause wins; on a tie the probe's (it was the newest line before).
    rootCause = fromProbe && (!fromText || causeRank(fromProbe.code) <= causeRank(fromText.code)) ? fromProbe : fromText;
  }
  if (!rootCause && error instanceof ImageBuildError) rootCause = buildFailedCause(error);
  if (!rootCause && state && (state.status === 'exited' || state.status === 'dead')) rootCause = exitedCause(state, logLines.at(-1));
  if (!rootCause && probe) rootCause = probeTimeoutCause(probe, error);
  if (!rootCause && error instanceof StackctlError) {
    rootCause = { code: 'unknown', summary: error.message, hint: error.hint ?? 'see the error and the last log lines' };
  }
  rootCause ??= {
    code: 'unknown',
    summary: errorText ?? 'failed for a reason stackctl could not classify',
    hint: 'the last log lines and the container state are all there is: run `stackctl logs` for more',
  };

  const diagnosis: Diagnosis = {
    service: input.service,
    state: 'failed',
    lastLogLines: logLines.slice(-(input.tailLines ?? 20)).map(redact),
    rootCause: redactCause(rootCause, redact),
  };
  if (state) {
    diagnosis.container = { status: state.status, oomKilled: state.oomKilled, restartCount: state.restartCount };
    if (state.exitCode !== undefined) diagnosis.container.exitCode = state.exitCode;
  }
  if (probe) {
    diagnosis.probe = { attempts: probe.attempts };
    if (probe.lastError !== undefined) diagnosis.probe.lastError = redact(probe.lastError);
    if (failure) diagnosis.probe.failure = failureRecord(failure, redact);
  }
  return diagnosis;
}

/** A service that was not started because `blockedBy` failed (or was itself blocked). */
export function blockedDiagnosis(service: string, blockedBy: string, rootOf?: Diagnosis): Diagnosis {
  const because = !rootOf
    ? ''
    : rootOf.service === blockedBy
      ? `: ${rootOf.rootCause.summary}`
      : `, which is blocked by ${rootOf.service}: ${rootOf.rootCause.summary}`;
  return {
    service,
    state: 'blocked',
    blockedBy,
    lastLogLines: [],
    rootCause: {
      code: 'blocked',
      summary: `blocked by ${blockedBy}${because}`,
      hint: `fix ${rootOf?.service ?? blockedBy} first; ${service} starts once its dependencies are ready`,
    },
  };
}
