/**
 * The container a service should run as: Service (+ the image it resolved to) → ContainerSpec.
 * The config hash is computed from this spec, so anything that changes the container changes the
 * hash, and nothing else does.
 */
import type { PortMapping, ProbeSpec, Service, Stack, VolumeMount } from '../config/model.js';
import { LABELS, type ContainerSpec } from '../runtime/runtime.js';
import { builtImageTag, containerName, DEFAULT_NETWORK, networkName, volumeName } from './names.js';

/** stackctl publishes on loopback unless the file names an interface. */
export const LOOPBACK = '127.0.0.1';

/** The image reference a service runs: its `image:` or, for a build without one, `<stack>-<service>`. */
export function imageRef(stack: Stack, service: Service): string {
  return service.image ?? builtImageTag(stack.name, service.name);
}

/** Container port the readiness probe talks to over the network, if the probe kind has one. */
export function probePort(probe: ProbeSpec | undefined): number | undefined {
  if (!probe) return undefined;
  return 'port' in probe ? probe.port : undefined;
}

/**
 * Published ports: the file's, with the host interface made explicit (127.0.0.1 by default), plus
 * an ephemeral loopback port for the readiness probe when the probe's port is not published —
 * the engine picks the host port, the probe reads it back from the started container.
 */
export function effectivePorts(service: Service): PortMapping[] {
  const ports = service.ports.map((port) => ({ ...port, hostIp: port.hostIp ?? LOOPBACK }));
  const target = probePort(service.readiness?.probe);
  if (target !== undefined && !ports.some((port) => port.target === target && port.protocol === 'tcp')) {
    ports.push({
      hostIp: LOOPBACK,
      target,
      protocol: 'tcp',
      location: service.readiness?.location ?? service.location,
    });
  }
  return ports;
}

function effectiveVolumes(stack: Stack, service: Service): VolumeMount[] {
  return service.volumes.map((mount) =>
    mount.type === 'volume' && mount.source !== undefined ? { ...mount, source: volumeName(stack, mount.source) } : mount,
  );
}

export interface NetworkPlacement {
  network: string;
  aliases: string[];
}

/** The networks a service joins (engine names) with its aliases; the service name is always one. */
export function servicePlacements(stack: Stack, service: Service): NetworkPlacement[] {
  const attachments = service.networks.length > 0 ? service.networks : [{ name: DEFAULT_NETWORK, aliases: [] }];
  return attachments.map((attachment) => ({
    network: networkName(stack, attachment.name),
    aliases: [...new Set([service.name, ...attachment.aliases])],
  }));
}

/** Every network of the stack that has to exist (engine names), external ones excluded. */
export function stackNetworks(stack: Stack): string[] {
  const names = new Set<string>();
  for (const service of stack.services) {
    for (const attachment of service.networks.length > 0 ? service.networks : [{ name: DEFAULT_NETWORK }]) {
      if (!stack.networks[attachment.name]?.external) names.add(networkName(stack, attachment.name));
    }
  }
  return [...names].sort();
}

/** Every named volume of the stack that has to exist (engine names), external ones excluded. */
export function stackVolumes(stack: Stack): string[] {
  const names = new Set<string>();
  for (const [name, volume] of Object.entries(stack.volumes)) if (!volume.external) names.add(volumeName(stack, name));
  for (const service of stack.services) {
    for (const mount of service.volumes) {
      if (mount.type === 'volume' && mount.source !== undefined && !stack.volumes[mount.source]?.external) {
        names.add(volumeName(stack, mount.source));
      }
    }
  }
  return [...names].sort();
}

/** The spec without the config-hash label (the hash is computed from it). */
export function containerSpec(stack: Stack, service: Service, configHash = ''): ContainerSpec {
  const [primary, ...extra] = servicePlacements(stack, service);
  const labels: Record<string, string> = {
    ...stack.labels,
    [LABELS.stack]: stack.name,
    [LABELS.service]: service.name,
  };
  if (configHash) labels[LABELS.configHash] = configHash;
  const spec: ContainerSpec = {
    stack: stack.name,
    service: service.name,
    name: containerName(stack.name, service.name),
    image: imageRef(stack, service),
    env: { ...service.environment },
    ports: effectivePorts(service),
    volumes: effectiveVolumes(stack, service),
    network: primary?.network ?? networkName(stack, DEFAULT_NETWORK),
    aliases: primary?.aliases ?? [service.name],
    restart: service.restart,
    labels,
  };
  if (service.command) spec.command = [...service.command];
  if (service.entrypoint) spec.entrypoint = [...service.entrypoint];
  if (extra.length > 0) spec.extraNetworks = extra;
  return spec;
}
