/**
 * Helpers of the CI integration tests (ephemeral copies, the reaper, GitHub views, the Node API).
 * Built on the engine tests' helpers (test/integration/engine/cli.ts).
 */
import type { ResultPromise } from 'execa';
import { labelled } from '../engine/cli.js';

/** Every ephemeral-labelled object of a copy. */
export async function copyObjects(stack: string): Promise<string[]> {
  const left = await labelled(stack, 'io.stackctl.ephemeral=true');
  return [
    ...left.containers.map((name) => `container ${name}`),
    ...left.networks.map((name) => `network ${name}`),
    ...left.volumes.map((name) => `volume ${name}`),
  ];
}

/** Polls until nothing of the copy is left; the milliseconds that took (or Infinity past `limitMs`). */
export async function msUntilGone(stack: string, limitMs: number): Promise<number> {
  const started = performance.now();
  while (performance.now() - started < limitMs) {
    if ((await copyObjects(stack)).length === 0) return performance.now() - started;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  return Number.POSITIVE_INFINITY;
}

/** Resolves once a line of the child's stdout matches (rejects after `timeoutMs` or when it exits first). */
export function waitForLine(child: ResultPromise, pattern: RegExp, timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    let seen = '';
    const timer = setTimeout(() => reject(new Error(`no line matching ${pattern} within ${timeoutMs} ms; output so far:\n${seen}`)), timeoutMs);
    const onData = (chunk: Buffer): void => {
      seen += chunk.toString('utf8');
      const line = seen.split('\n').find((candidate) => pattern.test(candidate));
      if (line !== undefined) {
        clearTimeout(timer);
        child.stdout?.off('data', onData);
        resolve(line);
      }
    };
    child.stdout?.on('data', onData);
    child.catch(() => undefined).then(() => {
      clearTimeout(timer);
      reject(new Error(`stackctl exited before a line matched ${pattern}; output:\n${seen}`));
    });
  });
}

/** The JSON lines of `up --json` of the given type. */
export function jsonLines(stdout: string, type: string): Array<Record<string, unknown>> {
  return stdout
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as Record<string, unknown>)
    .filter((doc) => doc.type === type);
}
