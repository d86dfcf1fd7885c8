/**
 * `stackctl up --target swarm`: the stack on a Swarm, in stackctl's dependency order. Swarm ignores
 * depends_on, so stackctl deploys level by level — each `docker stack deploy` adds the next level's
 * services once every task of the levels before it is running, and Swarm reports a task running only
 * after its healthcheck (stackctl's authenticated probe, compose-v3.ts) has passed.
 *
 * Chosen over a generated entrypoint wait: a wait inside a dependant's image needs the dependency's
 * client tools there (psql in a python image), changes the image's entrypoint, and cannot say which
 * dependency a stuck task waits for; the level-by-level deploy needs nothing in the images and reports
 * each service's readiness as stackctl does locally. Its cost (one deploy call a level) is measured in
 * BENCHMARKS.md.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { networkInterfaces, type NetworkInterfaceInfo } from 'node:os';
import path from 'node:path';
import type { Stack } from '../config/model.js';
import { graphOfStack, orderGraph } from '../graph/graph.js';
import { RuntimeError } from '../errors.js';
import { sleep } from '../engine/signals.js';
import { swarmCompose, type SwarmComposeOptions } from './compose-v3.js';
import type { SwarmEngine, SwarmTask } from './swarm-engine.js';

export type SwarmEvent =
  | { type: 'swarm.init'; advertiseAddr?: string }
  | { type: 'secret.created'; key: string }
  | { type: 'level.deploying'; level: number; services: string[] }
  | { type: 'service.ready'; service: string; node: string; ms: number }
  | { type: 'service.failed'; service: string; reason: string }
  | { type: 'service.blocked'; service: string; reason: string }
  | { type: 'warning'; message: string };

export interface SwarmUpOptions extends Pick<SwarmComposeOptions, 'images' | 'placement'> {
  /** 'never' for images that exist only on this (single) node. */
  resolveImage: 'always' | 'never';
  /** Address other nodes reach this one at, for `docker swarm init`. */
  advertiseAddr?: string;
  onEvent?: (event: SwarmEvent) => void;
  signal?: AbortSignal;
  /** Poll period; default 1 s. */
  pollMs?: number;
  /** Where the generated compose files go; default <stack dir>/.stackctl/swarm. */
  workDir?: string;
}

export interface SwarmServiceResult {
  service: string;
  state: 'ready' | 'failed' | 'blocked';
  node?: string;
  /** From the start of `up` to the task running healthy. */
  readyMs?: number;
  reason?: string;
}

export interface SwarmUpResult {
  /** True when this run made the engine a Swarm manager. */
  initialized: boolean;
  services: SwarmServiceResult[];
  totalMs: number;
  composeFile: string;
}

/** Makes the engine a manager when it is in no swarm; says so. */
export async function ensureManager(engine: SwarmEngine, advertiseAddr: string | undefined, onEvent?: (event: SwarmEvent) => void): Promise<boolean> {
  const info = await engine.info();
  if (info.manager) return false;
  if (info.state !== 'inactive') {
    throw new RuntimeError(`this engine is in a swarm (state ${info.state}) but not a manager`, { hint: 'run stackctl on a manager node (docker node ls there shows the nodes)' });
  }
  const address = advertiseAddr ?? defaultAdvertiseAddress();
  await engine.init(address);
  onEvent?.({ type: 'swarm.init', ...(address ? { advertiseAddr: address } : {}) });
  return true;
}

/**
 * The address `docker swarm init` advertises when none is given: the first IPv4 address of an
 * interface that is not loopback nor one of Docker's own bridges (docker0, br-…, veth…), since
 * `docker swarm init` refuses to choose on a machine with several.
 */
export function defaultAdvertiseAddress(interfaces: NodeJS.Dict<NetworkInterfaceInfo[]> = networkInterfaces()): string | undefined {
  for (const [name, addresses] of Object.entries(interfaces)) {
    if (/^(lo|docker|br-|veth|virbr)/.test(name)) continue;
    const address = addresses?.find((a) => a.family === 'IPv4' && !a.internal);
    if (address) return address.address;
  }
  return undefined;
}

function isRunning(task: SwarmTask): boolean {
  return task.desiredState.toLowerCase() === 'running' && /^running/i.test(task.currentState);
}

export async function swarmUp(stack: Stack, engine: SwarmEngine, options: SwarmUpOptions): Promise<SwarmUpResult> {
  const started = Date.now();
  const emit = options.onEvent ?? (() => undefined);
  const initialized = await ensureManager(engine, options.advertiseAddr, emit);
  const full = swarmCompose(stack, { ...(options.images ? { images: options.images } : {}), ...(options.placement ? { placement: options.placement } : {}) });
  for (const warning of full.warnings) emit({ type: 'warning', message: `${warning.service}: ${warning.message}` });

  const existing = new Set(await engine.secretNames(stack.name));
  for (const secret of full.secrets) {
    if (existing.has(secret.name)) continue;
    await engine.createSecret(secret.name, secret.value, stack.name);
    emit({ type: 'secret.created', key: secret.key });
  }

  const workDir = options.workDir ?? path.join(stack.dir, '.stackctl', 'swarm');
  await mkdir(workDir, { recursive: true });
  const composeFile = path.join(workDir, `${stack.name}.yml`);
  const { levels } = orderGraph(graphOfStack(stack));
  const results = new Map<string, SwarmServiceResult>();
  const deployed: string[] = [];
  for (const [index, level] of levels.entries()) {
    const failedDependency = (service: string): string | undefined =>
      stack.services.find((s) => s.name === service)?.dependsOn.map((d) => d.service).find((d) => results.get(d)?.state !== 'ready');
    const now = level.filter((service) => failedDependency(service) === undefined);
    for (const service of level.filter((s) => !now.includes(s))) {
      const reason = `${failedDependency(service)} is not ready`;
      results.set(service, { service, state: 'blocked', reason });
      emit({ type: 'service.blocked', service, reason });
    }
    if (now.length === 0) continue;
    deployed.push(...now);
    const compose = swarmCompose(stack, { services: deployed, ...(options.images ? { images: options.images } : {}), ...(options.placement ? { placement: options.placement } : {}) });
    await writeFile(composeFile, compose.text, 'utf8');
    emit({ type: 'level.deploying', level: index, services: now });
    await engine.deploy(stack.name, composeFile, compose.deployEnv, { resolveImage: options.resolveImage });
    await Promise.all(now.map(async (service) => results.set(service, await waitReady(stack, engine, service, started, options))));
    for (const service of now) {
      const result = results.get(service)!;
      if (result.state === 'ready') emit({ type: 'service.ready', service, node: result.node ?? '', ms: result.readyMs ?? 0 });
      else emit({ type: 'service.failed', service, reason: result.reason ?? '' });
    }
  }
  return { initialized, services: stack.services.map((s) => results.get(s.name) ?? { service: s.name, state: 'blocked', reason: 'not deployed' }), totalMs: Date.now() - started, composeFile };
}

async function waitReady(stack: Stack, engine: SwarmEngine, service: string, started: number, options: SwarmUpOptions): Promise<SwarmServiceResult> {
  const spec = stack.services.find((s) => s.name === service);
  // The probe's deadline, plus the time to schedule and pull.
  const deadline = Date.now() + (spec?.readiness?.timeoutMs ?? spec?.startTimeoutMs ?? 120_000) + 60_000;
  let lastError = '';
  let failures = 0;
  while (Date.now() < deadline && !options.signal?.aborted) {
    const tasks = (await engine.tasks(stack.name)).filter((task) => task.service === service);
    const running = tasks.find(isRunning);
    if (running) return { service, state: 'ready', node: running.node, readyMs: Date.now() - started };
    const failed = tasks.filter((task) => /^(failed|rejected)/i.test(task.currentState));
    failures = failed.length;
    lastError = failed[0]?.error ?? lastError;
    // Swarm retries a failing task for ever: after three failures the cause will not go away by waiting.
    if (failures >= 3) break;
    await sleep(options.pollMs ?? 1000, options.signal);
  }
  const logs = await engine.serviceLogs(stack.name, service, 5).catch(() => '');
  const reason = failures >= 3 ? `its task failed ${failures} times: ${lastError}` : `not healthy in time${lastError ? ` (last task error: ${lastError})` : ''}`;
  return { service, state: 'failed', reason: logs.trim() ? `${reason}; last log lines: ${logs.trim().split('\n').slice(-3).join(' | ')}` : reason };
}

/** `stackctl down --target swarm`: the stack, then its secrets (a task holding one must be gone first). */
export async function swarmDown(stackName: string, engine: SwarmEngine, options: { signal?: AbortSignal; volumes?: boolean } = {}): Promise<{ removed: boolean; volumes: string[] }> {
  if (!(await engine.info()).manager) return { removed: false, volumes: [] };
  const present = (await engine.stacks()).includes(stackName);
  if (present) await engine.removeStack(stackName);
  for (let attempt = 0; attempt < 30; attempt += 1) {
    if ((await engine.tasks(stackName)).length === 0) break;
    await sleep(1000, options.signal);
  }
  for (const name of await engine.secretNames(stackName)) {
    for (let attempt = 0; attempt < 10; attempt += 1) {
      await engine.removeSecret(name);
      if (!(await engine.secretNames(stackName)).includes(name)) break;
      await sleep(1000, options.signal);
    }
  }
  // Volumes of other nodes stay there (docker stack rm never removes volumes; no API reaches them).
  const volumes = options.volumes ? await engine.removeVolumes(stackName) : [];
  return { removed: present, volumes };
}
