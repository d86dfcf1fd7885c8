/**
 * The daemon's engine, bound to the real modules: the engine's `up`/`down` (src/engine), the real
 * probes and waitReady, the engine's diagnosis, and the suite runner (src/suite/run-suite.ts) for
 * the `test` action. Reloading the stack file is the caller's (the CLI knows -f / -p).
 */
import type { Stack } from '../config/model.js';
import { defaultDependencies, down, up } from '../engine/index.js';
import type { Runtime } from '../runtime/runtime.js';
import { runSuite } from '../suite/run-suite.js';
import type { TestSummary } from './api-types.js';
import { singleServiceStack, type DaemonEngine } from './daemon.js';

export interface RealEngineOptions {
  runtime: Runtime;
  stack: Stack;
  reload: () => Promise<Stack>;
}

export function createDaemonEngine(options: RealEngineOptions): DaemonEngine {
  const { runtime } = options;
  const deps = defaultDependencies(options.stack);
  return {
    runtime,
    reload: options.reload,
    up: (stack, o) => up(stack, { runtime, signal: o.signal, onEvent: o.onEvent }),
    upService: (stack, service, o) => up(singleServiceStack(stack, service), { runtime, signal: o.signal, onEvent: o.onEvent }),
    down: (stack, o) => down(stack, { runtime, removeVolumes: o.removeVolumes, onEvent: o.onEvent, ...(o.signal ? { signal: o.signal } : {}) }),
    probeFactory: deps.probeFactory,
    waitReady: deps.waitReady,
    diagnose: deps.diagnose,
    test: async (stack, o) => {
      const began = Date.now();
      const run = await runSuite(stack, {
        signal: o.signal,
        runtime,
        cwd: stack.dir,
        // Only when the daemon knows of failures: otherwise the suite inspects the containers itself.
        ...(o.diagnoses.size > 0 ? { diagnoses: o.diagnoses } : {}),
        ...(o.request.suite !== undefined ? { suiteFile: o.request.suite } : {}),
        ...(o.request.baseline !== undefined ? { baseline: o.request.baseline } : {}),
        ...(o.request.outDir !== undefined ? { outDir: o.request.outDir } : {}),
        ...(o.request.reportsDir !== undefined ? { reportsDir: o.request.reportsDir } : {}),
        ...(o.request.failOnRegression ? { failOnRegression: true } : {}),
      });
      const s = run.report.summary;
      const summary: TestSummary = {
        at: new Date().toISOString(),
        ok: run.exitCode === 0,
        durationMs: Date.now() - began,
        summary: `${run.report.status}: ${s.passed}/${s.total} passed (${s.successRate.toFixed(1)}%), ${s.failed} failed, ${s.skipped} skipped${s.avgResponseMs === null ? '' : `, avg ${Math.round(s.avgResponseMs)} ms`}${run.report.comparison ? `; ${run.report.comparison.verdict} against ${run.report.comparison.baseline.id}` : ''}`,
        reportPath: run.paths.markdown,
        files: { ...run.paths },
        ...(run.copies ? { copies: { ...run.copies } } : {}),
        exitCode: run.exitCode,
      };
      return summary;
    },
  };
}
