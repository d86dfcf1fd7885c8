/**
 * `--target swarm` for up, down, ps, logs and test: the same stack on a Docker Swarm
 * (src/swarm/swarm-up.ts). Images are built as `stackctl up` builds them; on one node they are used
 * as they are (`--resolve-image never`), with `--registry` they are pushed and every node pulls them.
 */
import { hostname } from 'node:os';
import type { Stack } from '../../config/model.js';
import { prepareImages } from '../../engine/images.js';
import { RuntimeError } from '../../errors.js';
import { parseRegistry, registryImages } from '../../plan/registry-images.js';
import { computeContextHash } from '../../runtime/context-hash.js';
import type { ContainerInfo, Runtime } from '../../runtime/runtime.js';
import { pushImages } from '../../swarm/images.js';
import { DockerCliSwarm, type SwarmEngine } from '../../swarm/swarm-engine.js';
import { swarmDown, swarmUp, type SwarmEvent } from '../../swarm/swarm-up.js';
import type { CliContext } from '../context.js';
import { stderrOf, stdoutOf, type Output } from '../render/output.js';
import { createRuntime, redactorFor } from '../stack-options.js';
import type { Diagnosis } from '../../diagnose/model.js';

export interface SwarmUpFlags {
  registry?: string;
  advertiseAddr?: string;
  build?: boolean;
  test?: boolean;
  json?: boolean;
}

function describe(event: SwarmEvent): string {
  switch (event.type) {
    case 'swarm.init':
      return `this engine was in no swarm: ran docker swarm init${event.advertiseAddr ? ` --advertise-addr ${event.advertiseAddr}` : ''} (docker swarm leave --force undoes it)`;
    case 'secret.created':
      return `created docker secret for ${event.key}`;
    case 'level.deploying':
      return `deploying level ${event.level}: ${event.services.join(', ')}`;
    case 'service.ready':
      return `✔ ${event.service} ready on ${event.node} (${(event.ms / 1000).toFixed(1)} s)`;
    case 'service.failed':
      return `✖ ${event.service} failed: ${event.reason}`;
    case 'service.blocked':
      return `– ${event.service} blocked: ${event.reason}`;
    case 'warning':
      return `warning: ${event.message}`;
  }
}

/** Builds (as up does) and, with a registry, tags and pushes; returns the references to deploy. */
export async function prepareSwarmImages(ctx: CliContext, stack: Stack, flags: { registry?: string; build?: boolean }, err: Output): Promise<Record<string, string> | undefined> {
  const runtime = createRuntime(stack.name, redactorFor(stack));
  const prepared = await prepareImages(stack, stack.services, {
    runtime,
    build: flags.build !== false,
    contextHash: computeContextHash,
    signal: ctx.signal,
    concurrency: 2,
    onPhase: (service, phase) => err.line(`${phase} ${service}`),
    onProgress: () => undefined,
    onDone: () => undefined,
    clock: () => Date.now(),
  });
  const failure = [...prepared.failures.entries()][0];
  if (failure) throw new RuntimeError(`image of ${failure[0]} could not be prepared: ${failure[1].message}`, { hint: 'stackctl up --target local shows the build output' });
  if (flags.registry === undefined) return undefined;
  const images = await registryImages(stack, parseRegistry(flags.registry), computeContextHash);
  await pushImages(images, (image) => err.line(`pushed ${image.remote}`));
  return Object.fromEntries(images.map((image) => [image.service, image.remote]));
}

/** The suite options `up --test` passes on (test.ts's TestOptions, by shape: test.ts loads this module). */
interface TestOptions {
  suite?: string;
  baseline?: string;
  failOnRegression?: boolean;
  json?: boolean;
  progress?: boolean;
}

/** The suite phase (test.ts's runTestPhase, passed in: this module is loaded by test.ts). */
export type TestPhase = (ctx: CliContext, stack: Stack, runtime: Runtime, options: TestOptions & { diagnoses: ReadonlyMap<string, Diagnosis> }) => Promise<number>;

export async function runSwarmUp(ctx: CliContext, stack: Stack, flags: SwarmUpFlags & TestOptions, testPhase: TestPhase, engine: SwarmEngine = new DockerCliSwarm()): Promise<number> {
  const redactor = redactorFor(stack);
  const out = stdoutOf(ctx, redactor);
  const err = stderrOf(ctx, redactor);
  const images = await prepareSwarmImages(ctx, stack, flags, err);
  const result = await swarmUp(stack, engine, {
    resolveImage: images ? 'always' : 'never',
    ...(images ? { images } : {}),
    ...(flags.advertiseAddr ? { advertiseAddr: flags.advertiseAddr } : {}),
    signal: ctx.signal,
    onEvent: (event) => (flags.json ? out.json(event) : err.line(describe(event))),
  });
  const ready = result.services.filter((s) => s.state === 'ready').length;
  if (flags.json) out.json({ type: 'result', ...result });
  else out.line(`${ready}/${result.services.length} services ready on swarm in ${(result.totalMs / 1000).toFixed(1)} s (compose file: ${result.composeFile})`);
  if (ready !== result.services.length) return 1;
  if (!flags.test) return 0;
  return testPhase(ctx, stack, swarmSuiteRuntime(stack.name, engine), { ...flags, diagnoses: new Map() });
}

/** What the suite needs from a runtime (published ports of running tasks), from the Swarm's tasks. */
export function swarmSuiteRuntime(stackName: string, engine: SwarmEngine = new DockerCliSwarm()): Runtime {
  const listContainers = async (): Promise<ContainerInfo[]> => swarmContainers(stackName, engine);
  return new Proxy({} as Runtime, {
    get(_target, property) {
      if (property === 'listContainers') return listContainers;
      if (property === 'then') return undefined;
      return () => Promise.reject(new RuntimeError(`${String(property)} is not available on the swarm target`));
    },
  });
}

/** Running tasks as containers: published host-mode ports on the task's node address. */
export async function swarmContainers(stackName: string, engine: SwarmEngine): Promise<ContainerInfo[]> {
  const tasks = (await engine.tasks(stackName)).filter((task) => task.desiredState.toLowerCase() === 'running' && /^running/i.test(task.currentState));
  const addresses = new Map<string, string>();
  const local = hostname();
  const out: ContainerInfo[] = [];
  for (const task of tasks) {
    if (!addresses.has(task.node)) addresses.set(task.node, task.node === local ? '127.0.0.1' : await engine.nodeAddress(task.node).catch(() => '127.0.0.1'));
    out.push({
      id: task.id,
      name: task.name,
      stack: stackName,
      service: task.service,
      configHash: '',
      image: '',
      status: 'running',
      oomKilled: false,
      restartCount: 0,
      ports: task.ports.map((p) => ({ target: p.target, protocol: p.protocol, hostIp: addresses.get(task.node) ?? '127.0.0.1', hostPort: p.published })),
      labels: { node: task.node },
    });
  }
  return out;
}

export async function runSwarmDown(ctx: CliContext, stackName: string, options: { volumes?: boolean } = {}, engine: SwarmEngine = new DockerCliSwarm()): Promise<number> {
  const out = stdoutOf(ctx, redactorFor(undefined));
  const { removed, volumes } = await swarmDown(stackName, engine, { signal: ctx.signal, volumes: options.volumes === true });
  out.line(removed ? `removed swarm stack ${stackName} and its secrets` : `no swarm stack ${stackName}`);
  if (volumes.length > 0) out.line(`removed volumes ${volumes.join(', ')}`);
  return 0;
}

export async function runSwarmPs(ctx: CliContext, stackName: string, json: boolean, engine: SwarmEngine = new DockerCliSwarm()): Promise<number> {
  const out = stdoutOf(ctx, redactorFor(undefined));
  const tasks = (await engine.tasks(stackName)).filter((task) => task.desiredState.toLowerCase() !== 'shutdown');
  if (json) {
    out.json(tasks);
    return 0;
  }
  if (tasks.length === 0) {
    out.line(`no task of swarm stack ${stackName}`);
    return 0;
  }
  const width = Math.max(...tasks.map((task) => task.service.length), 7);
  out.line(`${'SERVICE'.padEnd(width)}  NODE                STATE                         PORTS`);
  for (const task of tasks) out.line(`${task.service.padEnd(width)}  ${task.node.padEnd(18)}  ${task.currentState.padEnd(28)}  ${task.ports.map((p) => `${p.published}->${p.target}`).join(', ')}`);
  return 0;
}

export async function runSwarmLogs(ctx: CliContext, stack: Stack | undefined, stackName: string, services: string[], tail: number | undefined, engine: SwarmEngine = new DockerCliSwarm()): Promise<number> {
  const out = stdoutOf(ctx, redactorFor(stack));
  const names = services.length > 0 ? services : [...new Set((await engine.tasks(stackName)).map((task) => task.service))];
  for (const service of names) {
    const text = await engine.serviceLogs(stackName, service, tail ?? 100);
    for (const line of text.split('\n').filter(Boolean)) out.line(`${service} | ${line}`);
  }
  return 0;
}
