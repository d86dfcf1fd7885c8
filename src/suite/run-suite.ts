/**
 * The suite against a running stack, end to end: load the suite, find how each service is reached
 * and which are down, run the checks, build the report, compare it with the baseline, store it under
 * `.stackctl/reports/<run id>/` and say what the exit code should be.
 *
 *   runSuite(stack, { signal, diagnoses?, baseline?, outDir?, ... }) → { report, paths, copies?, exitCode }
 *
 * `stackctl test` calls it on its own; `stackctl up --test` calls it after up, handing over the
 * diagnoses of the services that failed so the report names them as root causes.
 * Exit code: 0 when every success criterion holds (and, with failOnRegression, the verdict is not
 * REGRESSION), 1 otherwise, 130 when cancelled.
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
import type { ServiceInput } from '../report/arithmetic.js';
import { buildReport } from '../report/build-report.js';
import type { CheckResult, Report, ReportFiles } from '../report/model.js';
import { publishReport } from '../report/publish.js';
import { defaultReportsDir, uniqueRunId } from '../report/store.js';
import type { ContainerInfo, Runtime } from '../runtime/runtime.js';
import { Redactor } from '../secrets.js';
import { stackRedactor } from '../config/secret-values.js';
import { launchChromium } from './checks/browser.js';
import { RunContext, type ServiceEndpoint } from './context.js';
import { loadSuite } from './load-suite.js';
import { gitInfo, stackConfigHash } from './provenance.js';
import { explain, type KnownDiagnosis } from './root-cause.js';
import { prepareContext, runChecks } from './runner.js';
import { endpointsFromContainers, endpointsFromStack, inspectServices } from './service-state.js';

export const STACKCTL_VERSION = '0.1.0';

export interface RunSuiteOptions {
  signal: AbortSignal;
  /** Diagnoses `stackctl up` made of failed and blocked services; when absent the containers are inspected. */
  diagnoses?: ReadonlyMap<string, Diagnosis>;
  /** `--baseline FILE|NAME`; default: the previous stored run of the stack. */
  baseline?: string;
  /** `--out DIR`: copies of the four files there too. */
  outDir?: string;
  /** Default `<stack dir>/.stackctl/reports`. */
  reportsDir?: string;
  /** Default: the stack's `suite:`. */
  suiteFile?: string;
  /** For published ports and container state; default: none is used unless given (see createRuntime). */
  runtime?: Runtime;
  /** The environment; the stack's .env fills what it lacks. Default process.env. */
  env?: Readonly<Record<string, string | undefined>>;
  /** Directory relative paths (`--out`, `--baseline`) are resolved against; default process.cwd(). */
  cwd?: string;
  failOnRegression?: boolean;
  /** Each check's result as it completes (redacted). */
  onResult?: (result: CheckResult) => void;
  /** Notes on what could not be inspected (engine unreachable…), for the CLI to print. */
  onNote?: (note: string) => void;
  now?: () => Date;
}

export interface SuiteRun {
  report: Report;
  /** The stored run's files. */
  paths: ReportFiles;
  /** The `--out` copies. */
  copies?: ReportFiles;
  exitCode: number;
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

export async function runSuite(stack: Stack, options: RunSuiteOptions): Promise<SuiteRun> {
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
  const reportsDir = options.reportsDir ?? defaultReportsDir(stack.dir);

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
  const runId = uniqueRunId(reportsDir, started);
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

  const services: ServiceInput[] = stack.services.map((service) => {
    const endpoint = endpoints.get(service.name);
    const input: ServiceInput = { name: service.name };
    const port = service.ports.find((p) => p.protocol === 'tcp' && p.published !== undefined)?.published ?? endpoint?.primaryPort;
    if (port !== undefined) input.port = port;
    const cause = explain(service.name, diagnoses);
    if (cause) input.rootCause = cause;
    return input;
  });
  const report = buildReport({
    run: {
      id: runId,
      startedAt: started.toISOString(),
      finishedAt: finished.toISOString(),
      durationMs: finished.getTime() - started.getTime(),
      stack: { name: stack.name, file: stack.file, configHash: stackConfigHash(stack) },
      suite: { name: suite.name, file: suite.file, hash: suite.hash },
      ...(git ? { git } : {}),
      stackctlVersion: STACKCTL_VERSION,
      cancelled: options.signal.aborted,
    },
    thresholds: stack.thresholds,
    categoryThresholds: suite.categoryCriteria,
    categoryOrder: suite.categories,
    checks,
    services,
  });

  const published = await publishReport(report, {
    reportsDir,
    cwd: options.cwd ?? process.cwd(),
    redactor,
    ...(options.baseline !== undefined ? { baseline: options.baseline } : {}),
    ...(options.outDir !== undefined ? { outDir: options.outDir } : {}),
  });
  let exitCode = published.report.status === 'PASSED' ? 0 : 1;
  if (options.failOnRegression && published.report.comparison?.verdict === 'REGRESSION') exitCode = 1;
  if (report.run.cancelled) exitCode = 130;
  const run: SuiteRun = { report: published.report, paths: published.files, exitCode };
  if (published.copies) run.copies = published.copies;
  return run;
}
