/**
 * What `stackctl up --ephemeral` does once `up` has returned:
 *   - says how to reach the copy (dotenv lines, or an `up.ephemeral` JSON line), and in GitHub
 *     Actions appends them to $GITHUB_ENV (STACKCTL_PROJECT_NAME first, so later steps' `stackctl
 *     test`, `env`, `port`, `down` find the copy);
 *   - `--test`: runs the suite against the copy's real ports, then removes the copy;
 *   - `--detach`: hands the copy over to its TTL and returns;
 *   - otherwise holds the copy until interrupted (Ctrl-C, SIGTERM), then removes it. A SIGKILL ends
 *     this process without a word, and the reaper removes the copy.
 * A copy that failed to come up is removed (its diagnosis was printed), except with --detach, where
 * it stays for `stackctl logs -p NAME` until its TTL.
 */
import type { Stack } from '../config/model.js';
import type { Diagnosis } from '../diagnose/model.js';
import { down } from '../engine/down.js';
import type { UpResult } from '../engine/results.js';
import { dotenvLines, stackEndpoints } from '../ephemeral/endpoints.js';
import type { EphemeralCopy } from '../ephemeral/start.js';
import type { SeedOutcome } from '../ephemeral/seed-snapshot.js';
import { isGitHubActions } from '../ci/github.js';
import { ownedContainers } from '../plan/observed.js';
import type { Runtime } from '../runtime/runtime.js';
import { errorMessage } from '../errors.js';
import { writeGitHubEnv } from './commands/env.js';
import type { CliContext } from './context.js';
import type { Output } from './render/output.js';

export interface EphemeralFinish {
  stack: Stack;
  copy: EphemeralCopy;
  result: UpResult;
  runtime: Runtime;
  out: Output;
  json: boolean;
  detach: boolean;
  test: boolean;
  /** `--seed-snapshot`: what was restored or kept, per service. */
  seeds?: readonly SeedOutcome[];
}

export async function finishEphemeralUp(
  ctx: CliContext,
  finish: EphemeralFinish,
  runTest: (diagnoses: ReadonlyMap<string, Diagnosis>) => Promise<number>,
): Promise<number> {
  const { stack, copy, result, runtime, out, json } = finish;
  const remove = async (why: string): Promise<void> => {
    if (!json) ctx.stderr.write(`stackctl: removing ephemeral stack ${stack.name} (${why})\n`);
    try {
      const removed = await down(stack, { runtime, removeVolumes: true, stopTimeoutSeconds: 2 });
      if (!json) out.line(`stack ${stack.name}: removed ${removed.containers.length} containers, ${removed.networks.length} networks, ${removed.volumes.length} volumes`);
    } catch (error) {
      ctx.stderr.write(`stackctl: could not remove ${stack.name}: ${errorMessage(error)}; its reaper removes it once this process ends\n`);
    } finally {
      copy.session.close();
    }
  };
  if (result.cancelled) {
    await remove('interrupted');
    return 130;
  }
  const upCode = result.ok ? 0 : 1;
  const endpoints = stackEndpoints(stack, ownedContainers(await runtime.listContainers(stack.name)));
  if (json) {
    const expiresAt = copy.expiresAtMs === undefined ? null : new Date(copy.expiresAtMs).toISOString();
    out.json({ type: 'up.ephemeral', stack: stack.name, expiresAt, endpoints, ...(finish.seeds ? { seedSnapshots: finish.seeds } : {}) });
  } else {
    out.line();
    for (const seed of finish.seeds ?? []) out.line(`${seed.service}: ${seed.detail}`);
    out.line(`ephemeral stack ${stack.name} — reach it with (\`stackctl env -p ${stack.name}\` prints these again):`);
    for (const line of dotenvLines(endpoints)) out.line(`  ${line}`);
  }
  if (isGitHubActions(ctx.env)) writeGitHubEnv(ctx, stack, endpoints, false);

  if (finish.test) {
    if (!json) out.line();
    const testCode = await runTest(diagnosesOf(result));
    if (finish.detach) {
      await copy.session.detach();
      return Math.max(upCode, testCode);
    }
    await remove('the suite has run');
    return Math.max(upCode, testCode);
  }
  if (finish.detach) {
    await copy.session.detach();
    const until = copy.expiresAtMs === undefined ? 'until `stackctl down`' : `until ${new Date(copy.expiresAtMs).toISOString()} (--ttl)`;
    if (!json) out.line(`detached: ${stack.name} stays ${until}; \`stackctl down -p ${stack.name}\` removes it now`);
    return upCode;
  }
  if (!result.ok) {
    await remove('it did not come up');
    return upCode;
  }
  if (!json) {
    out.line();
    out.line(`holding ${stack.name}: Ctrl-C or SIGTERM removes it (and if this process is killed, its reaper does)`);
  }
  await new Promise<void>((resolve) => {
    if (ctx.signal.aborted) resolve();
    else ctx.signal.addEventListener('abort', () => resolve(), { once: true });
  });
  await remove('interrupted');
  return 130;
}

export function diagnosesOf(result: UpResult): Map<string, Diagnosis> {
  return new Map(result.services.flatMap((service) => (service.diagnosis ? [[service.service, service.diagnosis] as const] : [])));
}
