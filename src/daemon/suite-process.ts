/**
 * The daemon's `test` action runs the suite in a child process: the suite loads the HTTP, postgres,
 * redis and browser clients and builds the report, ~70 MB the daemon would otherwise keep for the
 * rest of its life (RSS measured 83 MB before a suite run, 156 MB after, in process). The child
 * gets the stack and the request over IPC and answers with the run's summary.
 */
import { fork } from 'node:child_process';
import { existsSync } from 'node:fs';
import type { Stack } from '../config/model.js';
import type { Diagnosis } from '../diagnose/model.js';
import { packagePath } from '../package-root.js';
import { Redactor } from '../secrets.js';
import { stackRedactor } from '../config/secret-values.js';
import type { TestRequest, TestSummary } from './api-types.js';

export interface SuiteChildRequest {
  stack: Stack;
  request: TestRequest;
  diagnoses: Array<[string, Diagnosis]>;
}

export type SuiteChildReply = { ok: true; summary: TestSummary } | { ok: false; error: string };

// tsc's output, also when the CLI itself runs from the bundle.
const CHILD = packagePath('dist', 'daemon', 'suite-child.js');
const STDERR_TAIL = 4_000;
/** After SIGTERM, how long the suite gets to close its clients before SIGKILL. */
const STOP_GRACE_MS = 10_000;

export function runSuiteInChildProcess(
  stack: Stack,
  options: { signal: AbortSignal; request: TestRequest; diagnoses: ReadonlyMap<string, Diagnosis> },
): Promise<TestSummary> {
  if (!existsSync(CHILD)) return Promise.reject(new Error(`${CHILD} is missing: build stackctl (npm run build)`));
  const redactor = stackRedactor(stack);
  return new Promise((resolve, reject) => {
    // Not the daemon's own small-heap, no-optimizer Node flags: the suite is short and busy.
    const child = fork(CHILD, [], { execArgv: [], serialization: 'advanced', stdio: ['ignore', 'ignore', 'pipe', 'ipc'] });
    let stderr = '';
    let reply: SuiteChildReply | undefined;
    child.stderr?.on('data', (chunk: Buffer) => {
      stderr = (stderr + chunk.toString('utf8')).slice(-STDERR_TAIL);
    });
    child.once('message', (message: SuiteChildReply) => {
      reply = message;
    });
    let forceKill: NodeJS.Timeout | undefined;
    const stop = (): void => {
      child.kill('SIGTERM');
      forceKill = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS);
      forceKill.unref();
    };
    options.signal.addEventListener('abort', stop, { once: true });
    child.once('error', (error) => {
      options.signal.removeEventListener('abort', stop);
      reject(error);
    });
    child.once('exit', (code, signal) => {
      options.signal.removeEventListener('abort', stop);
      clearTimeout(forceKill);
      if (reply?.ok) resolve(reply.summary);
      else if (reply) reject(new Error(reply.error));
      else {
        const how = signal ? `was killed by ${signal}` : `exited with code ${code ?? '?'}`;
        const tail = stderr.trim().split('\n').slice(-5).join('\n');
        reject(new Error(redactor.redact(`the suite's process ${how} before answering${tail ? `:\n${tail}` : ''}`)));
      }
    });
    const message: SuiteChildRequest = { stack, request: options.request, diagnoses: [...options.diagnoses] };
    child.send(message);
  });
}
