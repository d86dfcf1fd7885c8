/**
 * Containers of an integration test's own stack on the real engine: the spec they share (debian on
 * the stack's `<stack>_default` network, nothing published, never restarted), starting one as a
 * probe target, and removing all the test started.
 */
import { execa } from 'execa';
import type { ProbeTarget } from '../../src/probes/probe.js';
import { LABELS, type ContainerSpec, type Runtime } from '../../src/runtime/runtime.js';

/** A container of the test stack `stack`: `overrides` on top of the shared defaults. */
export function testContainerSpec(stack: string, service: string, overrides: Partial<ContainerSpec> = {}): ContainerSpec {
  return {
    stack,
    service,
    name: `${stack}-${service}`,
    image: 'debian:bookworm-slim',
    env: {},
    ports: [],
    volumes: [],
    network: `${stack}_default`,
    aliases: [],
    restart: { name: 'no' },
    labels: {},
    ...overrides,
  };
}

/** Creates and starts the container; the probe target reaching it through its ports published on loopback. */
export async function startTarget(runtime: Runtime, spec: ContainerSpec): Promise<ProbeTarget> {
  const id = await runtime.createContainer(spec);
  await runtime.startContainer(id);
  const info = await runtime.inspectContainer(id);
  return {
    service: spec.service,
    containerId: id,
    host: '127.0.0.1',
    hostPort: (containerPort) => info?.ports.find((port) => port.target === containerPort && port.hostIp === '127.0.0.1')?.hostPort,
    runtime,
  };
}

/** Removes every container labelled with the test stack (and its anonymous volumes), then its network. */
export async function removeTestStack(stack: string): Promise<void> {
  const ids = (await execa('docker', ['ps', '-aq', '--filter', `label=${LABELS.stack}=${stack}`])).stdout.split('\n').filter(Boolean);
  if (ids.length > 0) await execa('docker', ['rm', '-fv', ...ids], { reject: false });
  await execa('docker', ['network', 'rm', `${stack}_default`], { reject: false });
}
