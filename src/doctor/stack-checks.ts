/**
 * The checks that need the stack: are the host ports it publishes free (and who holds them when
 * not), and does a container on its network resolve the names of its services.
 */
import type { Stack } from '../config/model.js';
import { errorMessage } from '../errors.js';
import { whoHoldsPort } from '../diagnose/port-holder.js';
import type { ContainerInfo, Runtime } from '../runtime/runtime.js';
import { check, type DoctorCheck } from './check.js';

export interface StackContext {
  stack: Stack;
  /** The stack's containers now (stackctl's or compose's), to tell its own ports from others'. */
  containers: ContainerInfo[];
  /** The network its services share (`<name>_default`). */
  network: string;
}

export async function portsCheck(runtime: Runtime | undefined, context: StackContext | undefined): Promise<DoctorCheck> {
  if (!context) return check('ports', 'skipped', 'no stack here: give -f FILE or -p STACK to check the host ports it wants');
  const own = new Set(context.containers.map((c) => c.name));
  const wanted = context.stack.services.flatMap((service) =>
    service.ports.filter((p) => p.published !== undefined && p.protocol === 'tcp').map((p) => ({ service: service.name, hostIp: p.hostIp ?? '0.0.0.0', port: p.published! })),
  );
  if (wanted.length === 0) return check('ports', 'ok', `stack ${context.stack.name} publishes no fixed host port`);
  const taken: string[] = [];
  let ownCount = 0;
  for (const want of wanted) {
    const holder = await whoHoldsPort(runtime, want.hostIp, want.port);
    if (!holder.inUse) continue;
    if (holder.container && own.has(holder.container)) {
      ownCount += 1;
      continue;
    }
    taken.push(`${want.hostIp}:${want.port} (${want.service}) is taken by ${holder.holder ?? 'another program (run as root to see which)'}`);
  }
  const free = wanted.length - taken.length - ownCount;
  const detail = `${wanted.length} host port${wanted.length === 1 ? '' : 's'} wanted by ${context.stack.name}: ${free} free${ownCount > 0 ? `, ${ownCount} held by the stack itself` : ''}${taken.length > 0 ? `; ${taken.slice(0, 3).join('; ')}${taken.length > 3 ? `; and ${taken.length - 3} more` : ''}` : ''}`;
  if (taken.length > 0) return check('ports', 'error', detail, 'stop what holds them, or publish the services on other host ports (the stack\'s ${…_PORT} variables)');
  return check('ports', 'ok', detail);
}

/** Resolves the running services' names from a throwaway container on the stack's network. */
export async function dnsCheck(runtime: Runtime, context: StackContext | undefined, image: string): Promise<DoctorCheck> {
  if (!(await runtime.imageExists(image).catch(() => false))) return check('dns', 'skipped', `image ${image} is not on the engine to run the lookup from`, 'bash scripts/ensure-base-image.sh builds it');
  const label = `stackctl-doctor-${process.pid}`;
  const names = context ? context.containers.filter((c) => c.status === 'running').map((c) => c.service || c.labels['com.docker.compose.service'] || '').filter(Boolean) : [];
  let network = context && names.length > 0 ? context.network : undefined;
  let lookup = [...new Set(names)];
  const name = `${label}-dns`;
  let created = false;
  try {
    if (!network) {
      // No running stack: a network of our own, resolving the throwaway container's own name.
      network = `${label}_dns`;
      await runtime.ensureNetwork(label, network);
      created = true;
      lookup = [name];
    }
    const resolve = async (hosts: string[], attempt: number): Promise<Set<string>> => {
      const result = await runtime.runOneShot({ stack: label, image, name: `${name}-${attempt}`, network: network!, command: ['getent', 'hosts', ...hosts], timeoutMs: 20_000 });
      return new Set(result.output.split('\n').flatMap((line) => line.trim().split(/\s+/).slice(1)));
    };
    if (created) lookup = [`${name}-1`];
    const resolved = await resolve(lookup, 1);
    // One more try for what did not resolve: a loaded engine's DNS can time out once.
    const again = lookup.filter((host) => !resolved.has(host) && !created);
    if (again.length > 0) for (const host of await resolve(again, 2)) resolved.add(host);
    // A service that stopped meanwhile (a restart loop) is not DNS's fault.
    const stillRunning = async (host: string): Promise<boolean> => {
      const container = context?.containers.find((c) => (c.service || c.labels['com.docker.compose.service']) === host);
      return !container || (await runtime.inspectContainer(container.id).catch(() => undefined))?.status === 'running';
    };
    const missing: string[] = [];
    for (const host of lookup) if (!resolved.has(host) && (created || (await stillRunning(host)))) missing.push(host);
    const where = created ? 'a fresh user network' : `network ${network}`;
    if (missing.length > 0) {
      return check('dns', 'error', `on ${where}, ${missing.join(', ')} did not resolve (${lookup.length - missing.length}/${lookup.length} did)`, 'containers find each other only on a shared user-defined network: check the services join it (docker network inspect) and that dockerd\'s embedded DNS (127.0.0.11) is not blocked');
    }
    return check('dns', 'ok', `on ${where}, ${lookup.length === 1 && created ? 'a container\'s name' : lookup.join(', ')} resolved from inside a container`);
  } catch (error) {
    return check('dns', 'error', `the lookup container failed: ${errorMessage(error)}`, 'check the engine can run containers (docker run --rm debian:bookworm-slim true)');
  } finally {
    if (created && network) await runtime.removeNetwork(label, network).catch(() => undefined);
  }
}
