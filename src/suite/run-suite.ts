/**
 * The suite against a running stack, end to end: load the suite, find how each service is reached
 * and which are down, run the checks and return the results. Building, comparing and storing the
 * report is the caller's job (`stackctl test`, `up --test`, the daemon's suite child, the Node API):
 * `report/publish.ts`'s publishRun takes these results as they are.
 *
 *   runSuite(stack, { signal, runId: (started) => id, diagnoses?, ... }) → SuiteResults
 *
 * `stackctl up --test` hands over the diagnoses of the services that failed so the results name
 * them as root causes.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { mergeEnvironment } from '../config/interpolate.js';
import { loadEnvFile } from '../config/env-file.js';
import type { Stack } from '../config/model.js';
import type { Diagnosis } from '../diagnose/model.js';
import { UsageError, errorMessage } from '../errors.js';
import type { CheckResult, CheckRootCause, RunInfo } from '../report/model.js';
import type { ContainerInfo, Runtime } from '../runtime/runtime.js';
import type { Redactor } from '../secrets.js';
import { VERSION } from '../version.js';
import { stackRedactor } from '../config/secret-values.js';
import { launchChromium } from './checks/browser.js';
import { RunContext, type ServiceEndpoint } from './context.js';
import { loadSuite } from './load-suite.js';
import { gitInfo, stackConfigHash } from './provenance.js';
import { explain, type KnownDiagnosis } from './root-cause.js';
import { prepareContext, runChecks } from './runner.js';
import { endpointsFromContainers, endpointsFromStack, inspectServices } from './service-state.js';

export interface RunSuiteOptions {
  signal: AbortSignal;
  /**
   * The run's id (`${run.id}` in the suite) for the moment it starts: the report's writer mints it
   * where the report will be stored (report/store.ts's uniqueRunId).
   */
  runId: (started: Date) => string;
  /** Diagnoses `stackctl up` made of failed and blocked services; when absent the containers are inspected. */
  diagnoses?: ReadonlyMap<string, Diagnosis>;
  /** Default: the stack's `suite:`. */
  suiteFile?: string;
  /** For published ports and container state; default: none is used unless given (see createRuntime). */
  runtime?: Runtime;
  /** The environment; the stack's .env fills what it lacks. Default process.env. */
  env?: Readonly<Record<string, string | undefined>>;
  /** Each check's result as it completes (redacted). */
  onResult?: (result: CheckResult) => void;
  /** Notes on what could not be inspected (engine unreachable…), for the CLI to print. */
  onNote?: (note: string) => void;
  now?: () => Date;
}

/** One service as the results see it: how it was reached, and why it is down when it is known. */
export interface SuiteService {
  name: string;
  port?: number;
  rootCause?: CheckRootCause;
}

/** What a suite run found, ready for report/publish.ts's publishRun. */
export interface SuiteResults {
  run: RunInfo;
  thresholds: Stack['thresholds'];
  /** Per-category minimum success rates (the suite's `criteria.categories`). */
  categoryThresholds: Readonly<Record<string, number>>;
  /** Category order as in the suite. */
  categoryOrder: readonly string[];
  checks: CheckResult[];
  services: SuiteService[];
  /**
   * The stack's secrets and those the run met (secret vars, captured tokens): whatever writes the
   * results must redact with it.
   */
  redactor: Redactor;
}

/**
 * The variables the suite's `${VAR}` see: the given environment (the process's) over the stack's
 * .env, over the values the stack file's own variables resolved to when it was loaded.
 */
async function stackEnvironment(stack: Stack, env: Readonly<Record<string, string | undefined>>): Promise<Record<string, string>> {
  const file = await loadEnvFile(join(stack.dir, '.env'), { optional: true }, env);
  const fromStack: Record<string, string> = {};
  for (const reference of stack.variables) if (reference.value !== undefined && !reference.defaulted) fromStack[reference.name] = reference.value;
  return mergeEnvironment(env, fromStack, file.vars);
}

export async function runSuite(stack: Stack, options: RunSuiteOptions): Promise<SuiteResults> {
  const now = options.now ?? (() => new Date());
  const suiteFile = options.suiteFile ?? stack.suite;
  if (!suiteFile) {
    throw new UsageError(`the stack ${stack.name} names no integration suite`, {
      location: { file: stack.file, line: 0, col: 0 },
      hint: 'add `suite: path/to/suite.yaml` to the stack file, or pass --suite FILE',
    });
  }
  const suite = await loadSuite(suiteFile, { stack });
  const env = await stackEnvironment(stack, options.env ?? process.env);
  const redactor = stackRedactor(stack);

  let containers: ContainerInfo[] | undefined;
  if (options.runtime) {
    try {
      containers = await options.runtime.listContainers(stack.name);
      if (!containers.some((container) => container.status === 'running')) {
        options.onNote?.(`no container of stack ${stack.name} is running: the checks will fail — start the stack first (\`stackctl up\`)`);
      }
    } catch (error) {
      options.onNote?.(`cannot list the stack's containers (${errorMessage(error)}): using the ports stack.yaml declares, without container diagnoses`);
    }
  }
  const endpoints: Map<string, ServiceEndpoint> = containers ? endpointsFromContainers(stack, containers) : endpointsFromStack(stack);
  let diagnoses: Map<string, KnownDiagnosis>;
  if (options.diagnoses) {
    diagnoses = new Map([...options.diagnoses].map(([name, diagnosis]) => [name, { diagnosis, source: 'up' as const }]));
  } else if (options.runtime && containers) {
    diagnoses = await inspectServices(stack, options.runtime, containers, redactor);
  } else {
    diagnoses = new Map();
  }

  const started = now();
  const runId = options.runId(started);
  const scratchDir = await mkdtemp(join(tmpdir(), 'stackctl-suite-'));
  const git = await gitInfo(stack.dir);
  const ctx = new RunContext({
    signal: options.signal,
    env,
    runId,
    random: randomBytes(8).toString('hex'),
    endpoints,
    redactor,
    scratchDir,
    launchBrowser: () => launchChromium(env),
  });
  let checks: CheckResult[];
  try {
    prepareContext(suite, ctx);
    const onResult = options.onResult;
    // Progress leaves redacted too: a check's message may quote a value captured a moment ago.
    checks = await runChecks(suite, ctx, { diagnoses, ...(onResult ? { onResult: (result: CheckResult) => onResult(redactor.redactValue(result)) } : {}) });
  } finally {
    await rm(scratchDir, { recursive: true, force: true });
  }
  const finished = now();

  const services: SuiteService[] = stack.services.map((service) => {
    const endpoint = endpoints.get(service.name);
    const entry: SuiteService = { name: service.name };
    const port = service.ports.find((p) => p.protocol === 'tcp' && p.published !== undefined)?.published ?? endpoint?.primaryPort;
    if (port !== undefined) entry.port = port;
    const cause = explain(service.name, diagnoses);
    if (cause) entry.rootCause = cause;
    return entry;
  });
  return {
    run: {
      id: runId,
      startedAt: started.toISOString(),
      finishedAt: finished.toISOString(),
      durationMs: finished.getTime() - started.getTime(),
      stack: { name: stack.name, file: stack.file, configHash: stackConfigHash(stack) },
      suite: { name: suite.name, file: suite.file, hash: suite.hash },
      ...(git ? { git } : {}),
      stackctlVersion: VERSION,
      cancelled: options.signal.aborted,
    },
    thresholds: stack.thresholds,
    categoryThresholds: suite.categoryCriteria,
    categoryOrder: suite.categories,
    checks,
    services,
    redactor,
  };
}
