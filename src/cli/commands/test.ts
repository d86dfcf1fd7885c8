/**
 * `stackctl test`: run the stack's integration suite against the running stack, write the report
 * (`.stackctl/reports/<run id>/`: report.json, report.md, report.html, junit.xml), compare it with
 * the previous run or `--baseline`, and print the summary ending with where the files are.
 * Exit codes: 0 every success criterion holds (and no regression with --fail-on-regression),
 * 1 otherwise, 2 usage, 130 interrupted.
 *
 * `stackctl up --test` calls runTestPhase with the diagnoses up made, so a check that failed because
 * a service is down names that service's diagnosis as its root cause.
 */
import path from 'node:path';
import type { Command } from 'commander';
import type { Stack } from '../../config/model.js';
import type { Diagnosis } from '../../diagnose/model.js';
import { ConfigError, formatLocation, type SourceLocation } from '../../errors.js';
import type { CheckResult } from '../../report/model.js';
import { publishRun, type PublishedRun } from '../../report/publish.js';
import { renderTerminal } from '../../report/render-terminal.js';
import { defaultReportsDir, uniqueRunId } from '../../report/store.js';
import type { Runtime } from '../../runtime/runtime.js';
import { SuiteError, loadSuite } from '../../suite/load-suite.js';
import { runSuite } from '../../suite/run-suite.js';
import { readFile } from 'node:fs/promises';
import { checkAnnotations, repositoryRoot } from '../../ci/annotations.js';
import { GROUP_END, appendStepSummary, groupStart, isGitHubActions } from '../../ci/github.js';
import type { CliContext } from '../context.js';
import { stderrOf, stdoutOf, type Output } from '../render/output.js';
import { addStackOptions, createRuntime, loadStackFor, redactorFor, type StackOptions } from '../stack-options.js';
import { addTargetOption, type Target } from './target-option.js';
import { daemonFor, testViaDaemon } from '../via-daemon.js';

export interface TestOptions {
  suite?: string;
  baseline?: string;
  failOnRegression?: boolean;
  json?: boolean;
  out?: string;
  reportsDir?: string;
  /** false = --no-progress: no line per check on stderr. */
  progress?: boolean;
}

interface TestCommandOptions extends StackOptions, TestOptions {}

export function addTestOptions(command: Command): Command {
  return command
    .option('--suite <file>', "integration suite to run (default: the stack file's `suite:`)")
    .option('--baseline <file|name>', 'compare with this report.json, stackctl.baseline file, run id (or prefix), `latest` or `previous` (default: the previous run)')
    .option('--fail-on-regression', 'exit 1 when the verdict against the baseline is REGRESSION, even if the success criteria hold')
    .option('--json', 'print the report (JSON, schema stackctl.report v1) instead of the summary')
    .option('--out <dir>', 'also write report.json, report.md, report.html and junit.xml into DIR')
    .option('--reports-dir <dir>', 'where runs are stored (default: .stackctl/reports beside the stack file)');
}

export function registerTest(program: Command, ctx: CliContext): void {
  const command = program
    .command('test')
    .description('run the integration suite against the running stack and write the regression report')
    .option('--no-progress', 'do not print a line per check while the suite runs');
  addTargetOption(command);
  addTestOptions(addStackOptions(command)).action(async (options: TestCommandOptions & { target?: Target }) => {
    const stack = await loadStackFor(ctx, options);
    if (options.target === 'swarm') {
      const { swarmSuiteRuntime } = await import('./swarm-target.js');
      return void (ctx.exitCode = await runTestPhase(ctx, stack, swarmSuiteRuntime(stack.name), { ...options, diagnoses: new Map() }));
    }
    const redactor = redactorFor(stack);
    // A daemon supervising the stack runs the suite itself (with its diagnoses for root causes).
    const daemon = await daemonFor(ctx, stack.dir, stack.name);
    if (daemon) return void (ctx.exitCode = await testViaDaemon(ctx, daemon, stdoutOf(ctx, redactor), options));
    ctx.exitCode = await runTestPhase(ctx, stack, createRuntime(stack.name, redactor), options);
  });
}

/**
 * GitHub Actions: closes the progress group, annotates each failed check at its line of the suite
 * file, and appends the Markdown report to the job's step summary (cut honestly past 1 MiB).
 */
async function publishToGitHub(ctx: CliContext, stack: Stack, run: PublishedRun, options: { suite?: string; grouped: boolean }): Promise<void> {
  if (options.grouped) ctx.stderr.write(`${GROUP_END}\n`);
  const redactor = redactorFor(stack);
  const suiteFile = options.suite !== undefined ? path.resolve(ctx.cwd, options.suite) : stack.suite;
  const locations = new Map<string, SourceLocation>();
  if (suiteFile) {
    const suite = await loadSuite(suiteFile, { stack }).catch(() => undefined);
    for (const check of suite?.checks ?? []) locations.set(check.id, check.location);
  }
  for (const line of checkAnnotations(run.report.checks, locations, { root: repositoryRoot(ctx.env, ctx.cwd), redactor })) ctx.stdout.write(`${line}\n`);
  const markdown = await readFile(run.paths.markdown, 'utf8').catch(() => undefined);
  if (markdown !== undefined) appendStepSummary(ctx.env, redactor.redact(markdown), path.relative(repositoryRoot(ctx.env, ctx.cwd), run.paths.markdown));
}

const MARK: Record<CheckResult['status'], string> = { passed: '✔', failed: '✖', skipped: '–' };

function progressLine(out: Output, result: CheckResult): void {
  const p = out.paint;
  const mark = result.status === 'passed' ? p.green(MARK.passed) : result.status === 'failed' ? p.red(MARK.failed) : p.yellow(MARK.skipped);
  const time = result.latencyMs !== undefined ? ` ${Math.round(result.latencyMs)} ms` : result.durationMs >= 1 ? ` ${Math.round(result.durationMs)} ms` : '';
  const detail = result.status === 'passed' ? '' : ` — ${(result.message ?? result.status).replace(/\s+/g, ' ').slice(0, 160)}`;
  out.line(`${mark} ${result.category} › ${result.name}${p.dim(time)}${detail}`);
}

/**
 * Runs the suite and prints the outcome; returns the exit code. Shared by `stackctl test` and
 * `stackctl up --test` (which passes the diagnoses of the services that failed).
 */
export async function runTestPhase(
  ctx: CliContext,
  stack: Stack,
  runtime: Runtime | undefined,
  options: TestOptions & { diagnoses?: ReadonlyMap<string, Diagnosis> },
): Promise<number> {
  const redactor = redactorFor(stack);
  const out = stdoutOf(ctx, redactor);
  const err = stderrOf(ctx, redactor);
  const showProgress = options.progress !== false && !options.json;
  const github = isGitHubActions(ctx.env);
  if (github && showProgress) err.line(groupStart(`stackctl test ${stack.name}`));
  const reportsDir = options.reportsDir !== undefined ? path.resolve(ctx.cwd, options.reportsDir) : defaultReportsDir(stack.dir);
  let run;
  try {
    const results = await runSuite(stack, {
      signal: ctx.signal,
      runId: (started) => uniqueRunId(reportsDir, started),
      env: ctx.env,
      ...(runtime ? { runtime } : {}),
      ...(options.diagnoses ? { diagnoses: options.diagnoses } : {}),
      ...(options.suite !== undefined ? { suiteFile: path.resolve(ctx.cwd, options.suite) } : {}),
      ...(showProgress ? { onResult: (result: CheckResult) => progressLine(err, result) } : {}),
      onNote: (note) => err.line(`stackctl: note: ${note}`),
    });
    run = await publishRun(results, {
      reportsDir,
      cwd: ctx.cwd,
      redactor: results.redactor,
      ...(options.baseline !== undefined ? { baseline: options.baseline } : {}),
      ...(options.out !== undefined ? { outDir: options.out } : {}),
      failOnRegression: options.failOnRegression === true,
    });
  } catch (error) {
    if (github && showProgress) err.line(GROUP_END);
    if (error instanceof SuiteError && error.diagnostics.length > 1) {
      // Every problem of the suite file, in file order, as file:line:col with its hint.
      for (const d of error.diagnostics) err.line(`stackctl: ${formatLocation(d.location)}: ${d.message}\n  hint: ${d.hint}`);
      const file = error.diagnostics[0]?.location.file ?? 'the suite';
      throw new ConfigError(`${path.relative(ctx.cwd, file) || file}: ${error.diagnostics.length} problems (above); nothing was run`, {
        hint: 'fix them; docs/suite-report.md describes the suite format',
      });
    }
    throw error;
  }
  if (github) await publishToGitHub(ctx, stack, run, { ...(options.suite !== undefined ? { suite: options.suite } : {}), grouped: showProgress });
  if (options.json) {
    out.json(run.report);
  } else {
    if (showProgress && !github) err.line();
    out.write(renderTerminal(run.report, { color: out.color, ...(run.copies ? { files: run.copies } : { files: run.paths }) }));
  }
  return run.exitCode;
}
