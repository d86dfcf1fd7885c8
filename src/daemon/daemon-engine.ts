/**
 * The daemon's engine, bound to the real modules: the engine's `up`/`down` (src/engine), the real
 * probes and waitReady, the engine's diagnosis, and the suite runner (src/suite/run-suite.ts, in a
 * child process: suite-process.ts) for the `test` action. Reloading the stack file is the caller's (the CLI knows -f / -p).
 */
import type { Stack } from '../config/model.js';
import { defaultDependencies, down, up } from '../engine/index.js';
import type { Runtime } from '../runtime/runtime.js';
import { singleServiceStack, type DaemonEngine } from './daemon.js';
import { runSuiteInChildProcess } from './suite-process.js';

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
    test: (stack, o) => runSuiteInChildProcess(stack, o),
  };
}
