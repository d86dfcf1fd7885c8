/**
 * `stackctl doctor`'s checks in order: the engine first (reachable, which endpoint and docker
 * context), then what its answers tell (version, storage, disk, clock, memory), the stack's host
 * ports and DNS on its network, and a held dpkg/apt lock. With the engine unreachable, the checks
 * that need it are skipped, never guessed.
 */
import { readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { errorMessage, isStackctlError } from '../errors.js';
import type { Runtime } from '../runtime/runtime.js';
import { aptLockCheck } from './apt-lock.js';
import { check, type DoctorCheck } from './check.js';
import { clockCheck, diskCheck, memoryCheck, storageCheck, versionCheck } from './engine-checks.js';
import { dnsCheck, portsCheck, type StackContext } from './stack-checks.js';

export interface DoctorOptions {
  runtime: Runtime;
  env: NodeJS.ProcessEnv;
  /** The stack to check ports and DNS for; called once the engine answered (or not). */
  stackContext: (engineUp: boolean) => Promise<StackContext | undefined>;
  /** Image the DNS lookup runs in. */
  dnsImage: string;
}

/** The docker CLI's current context, when it is not the default (dockerode does not follow contexts). */
async function dockerContext(env: NodeJS.ProcessEnv): Promise<string | undefined> {
  if (env.DOCKER_CONTEXT) return env.DOCKER_CONTEXT;
  const dir = env.DOCKER_CONFIG ?? path.join(env.HOME ?? os.homedir(), '.docker');
  const text = await readFile(path.join(dir, 'config.json'), 'utf8').catch(() => '');
  try {
    const context = (JSON.parse(text || '{}') as { currentContext?: unknown }).currentContext;
    return typeof context === 'string' && context !== '' && context !== 'default' ? context : undefined;
  } catch {
    return undefined;
  }
}

export async function runDoctorChecks(options: DoctorOptions): Promise<DoctorCheck[]> {
  const { runtime, env } = options;
  const checks: DoctorCheck[] = [];
  const context = await dockerContext(env);
  const via = env.DOCKER_HOST ? `DOCKER_HOST=${env.DOCKER_HOST}` : 'the default socket (DOCKER_HOST unset)';
  const contextNote = context ? `; docker CLI context "${context}"` : '; docker context default';

  let engineUp = false;
  let sentAt = 0;
  let receivedAt = 0;
  let info: Awaited<ReturnType<Runtime['engineInfo']>> | undefined;
  try {
    await runtime.ping();
    sentAt = Date.now();
    info = await runtime.engineInfo();
    receivedAt = Date.now();
    engineUp = true;
    checks.push(check('engine', 'ok', `reachable at ${info.endpoint} via ${via}${contextNote}`));
    if (context && !env.DOCKER_HOST) {
      checks.push(check('context', 'warning', `the docker CLI uses context "${context}", stackctl the default socket: they may talk to different engines`, 'export DOCKER_HOST to the context\'s endpoint (docker context inspect ' + context + ' --format "{{.Endpoints.docker.Host}}")'));
    }
  } catch (error) {
    const hint = isStackctlError(error) && error.hint ? error.hint : 'start the engine (bash scripts/ensure-docker.sh) or point DOCKER_HOST at one';
    checks.push(check('engine', 'error', `not reachable via ${via}${contextNote}: ${isStackctlError(error) ? error.shortMessage : errorMessage(error)}`, hint));
  }

  if (info) {
    checks.push(versionCheck(info), storageCheck(info), await diskCheck(info, info.endpoint.startsWith('unix://')), clockCheck(info, sentAt, receivedAt), await memoryCheck(info));
  } else {
    for (const id of ['version', 'storage', 'disk', 'clock', 'memory']) checks.push(check(id, 'skipped', 'engine not reachable'));
  }

  const stack = await options.stackContext(engineUp).catch(() => undefined);
  checks.push(await portsCheck(engineUp ? runtime : undefined, stack));
  checks.push(engineUp ? await dnsCheck(runtime, stack, options.dnsImage) : check('dns', 'skipped', 'engine not reachable'));
  checks.push(await aptLockCheck());
  return checks;
}
