/**
 * An external step: any command that writes JUnit XML (run with execa); each of its test cases is
 * merged into the report as a check of the step's category. A command that cannot run, or writes no
 * readable report, is one failed check saying so; a non-zero exit with every case passing is one too.
 */
import { mkdtemp, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { execa } from 'execa';
import { slug } from '../../slug.js';
import type { RunContext } from '../context.js';
import { parseJunit } from '../junit-xml.js';
import type { ExternalCheckSpec, SuiteCheck } from '../model.js';
import { excerpt, type CaseOutcome, type CheckExecutor } from './outcome.js';
import { dirname, resolve } from 'node:path';
import { DEFAULT_EXTERNAL_TIMEOUT_MS } from '../model.js';
import type { CheckParser } from './parse-context.js';

function tail(text: string | undefined, lines = 5): string {
  if (!text) return '';
  return excerpt(text.trim().split('\n').slice(-lines).join(' | '), 300);
}

export const externalCheck: CheckExecutor<ExternalCheckSpec> = {
  async run(check: SuiteCheck & { spec: ExternalCheckSpec }, ctx: RunContext, signal: AbortSignal): Promise<CaseOutcome[]> {
    const dir = await mkdtemp(join(ctx.scratchDir, 'step-'));
    const extra = { 'step.junit': join(dir, 'junit.xml'), 'step.dir': dir };
    const argv = check.spec.command.map((part) => ctx.render(part, extra));
    const env: Record<string, string> = {};
    for (const [name, value] of Object.entries(check.spec.env)) env[name] = ctx.render(value, extra);
    const junitPath = ctx.render(check.spec.junit, extra);
    const started = performance.now();
    const [file, ...args] = check.spec.shell ? ['sh', '-c', argv.join(' ')] : argv;
    const result = await execa(file as string, args, {
      cwd: check.spec.cwd,
      env,
      extendEnv: true,
      reject: false,
      all: true,
      stdin: 'ignore',
      timeout: check.timeoutMs,
      cancelSignal: signal,
      forceKillAfterDelay: 2000,
    });
    const durationMs = Math.round(performance.now() - started);
    const stepFailure = (message: string): CaseOutcome[] => [{ id: check.id, name: check.name, status: 'failed', durationMs, message }];
    if (result.code === 'ENOENT') return stepFailure(`command not found: ${file}`);
    if (result.timedOut) return stepFailure(`command timed out after ${check.timeoutMs} ms: ${tail(result.all)}`);
    if (result.isCanceled) return stepFailure('command cancelled');
    let xml: string;
    try {
      xml = await readFile(junitPath, 'utf8');
    } catch {
      return stepFailure(`command exited with ${result.exitCode ?? 'no status'} and wrote no JUnit report at ${junitPath}${result.all ? `: ${tail(result.all)}` : ''}`);
    }
    let cases;
    try {
      cases = parseJunit(xml);
    } catch (error) {
      return stepFailure(`unreadable JUnit report ${junitPath}: ${(error as Error).message}`);
    }
    if (cases.length === 0) return stepFailure(`the JUnit report ${junitPath} lists no test case (command exited with ${result.exitCode})`);
    const seen = new Map<string, number>();
    const outcomes: CaseOutcome[] = cases.map((c) => {
      let id = `${check.id}/${slug(c.classname ? `${c.classname}-${c.name}` : c.name) || 'case'}`;
      const n = (seen.get(id) ?? 0) + 1;
      seen.set(id, n);
      if (n > 1) id = `${id}-${n}`;
      const name = c.classname ? `${c.classname} › ${c.name}` : c.name;
      if (c.status === 'skipped') return { id, name, status: 'passed', durationMs: c.durationMs, skippedReason: c.message ?? 'skipped' };
      return { id, name, status: c.status, durationMs: c.durationMs, ...(c.message ? { message: c.message } : {}) };
    });
    if (result.exitCode !== 0 && !outcomes.some((o) => o.status === 'failed')) {
      outcomes.push({ id: `${check.id}/exit-status`, name: `${check.name}: exit status`, status: 'failed', durationMs, message: `command exited with ${result.exitCode} although no case failed: ${tail(result.all)}` });
    }
    return outcomes;
  },
};

/** `external: { command, cwd?, env?, junit? }` — cwd relative to the suite file. */
export const externalParser: CheckParser = {
  defaultTimeoutMs: DEFAULT_EXTERNAL_TIMEOUT_MS,
  keepsDefaultAsFloor: true,
  parse({ raw, source }) {
    const e = raw.external;
    if (!e) return {};
    return {
      spec: {
        kind: 'external',
        command: typeof e.command === 'string' ? [e.command] : e.command,
        shell: typeof e.command === 'string',
        cwd: resolve(dirname(source.file), e.cwd ?? '.'),
        env: e.env ?? {},
        junit: e.junit ?? '${step.junit}',
      },
    };
  },
};
