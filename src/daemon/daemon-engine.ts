/**
 * The daemon's engine, bound to the real modules: the engine's `up`/`down` (src/engine), the real
 * probes and waitReady, the engine's diagnosis, and the suite runner (src/suite/run-suite.ts, in a
 * child process: suite-process.ts) for the `test` action. Reloading the stack file is the caller's (the CLI knows -f / -p).
 */
import type { Stack } from '../config/model.js';
import { defaultDependencies, down, up } from '../engine/index.js';
import type { Runtime } from '../runtime/runtime.js';
import type { EventListener } from '../engine/events.js';
import { acquireStackLock, describeHolder } from '../engine/stack-lock.js';
import { singleServiceStack, type DaemonEngine } from './daemon.js';
import { runSuiteInChildProcess } from './suite-process.js';

export interface RealEngineOptions {
  runtime: Runtime;
  stack: Stack;
  reload: () => Promise<Stack>;
}

/** The daemon's own up/down wait for an up or down of the same stack run outside it (STACKCTL_NO_DAEMON=1). */
const DAEMON_LOCK_TIMEOUT_MS = 10 * 60_000;

export function createDaemonEngine(options: RealEngineOptions): DaemonEngine {
  const { runtime } = options;
  const deps = defaultDependencies(options.stack);
  const locked = async <T>(stack: Stack, signal: AbortSignal | undefined, onEvent: EventListener, run: () => Promise<T>): Promise<T> => {
    const lock = await acquireStackLock(stack.name, {
      timeoutMs: DAEMON_LOCK_TIMEOUT_MS,
      command: `stackctl daemon (pid ${process.pid})`,
      ...(signal ? { signal } : {}),
      onWait: (holder) => onEvent({ type: 'stack.waiting', at: Date.now(), reason: `another stackctl acts on the stack: ${describeHolder(holder)}` }),
    });
    try {
      return await run();
    } finally {
      lock.release();
    }
  };
  return {
    runtime,
    reload: options.reload,
    up: (stack, o) => locked(stack, o.signal, o.onEvent, () => up(stack, { runtime, signal: o.signal, onEvent: o.onEvent })),
    upService: (stack, service, o) => locked(stack, o.signal, o.onEvent, () => up(singleServiceStack(stack, service), { runtime, signal: o.signal, onEvent: o.onEvent })),
    down: (stack, o) => locked(stack, o.signal, o.onEvent, () => down(stack, { runtime, removeVolumes: o.removeVolumes, onEvent: o.onEvent, ...(o.signal ? { signal: o.signal } : {}) })),
    probeFactory: deps.probeFactory,
    waitReady: deps.waitReady,
    diagnose: deps.diagnose,
    test: (stack, o) => runSuiteInChildProcess(stack, o),
  };
}
