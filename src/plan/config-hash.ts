/**
 * The config hash: a normalised digest of everything that changes the running container — image id,
 * command, entrypoint, environment, published ports, volumes, networks and aliases, restart policy.
 * Not what doesn't: depends_on (order or conditions), readiness probes (except the loopback port a
 * probe needs published), start timeouts, secrets lists, source locations, key order in maps.
 *
 * Stored on the container as LABELS.configHash; reconcile compares it with the desired one.
 */
import { createHash } from 'node:crypto';
import type { Service, Stack } from '../config/model.js';
import { containerSpec } from './container-spec.js';

/** Bump when the normalisation changes on purpose (every container is then recreated once). */
const HASH_VERSION = 'v1';

function sortedRecord(record: Record<string, string>): Array<[string, string]> {
  return Object.entries(record).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

function byKey<T>(key: (item: T) => string): (a: T, b: T) => number {
  return (a, b) => {
    const ka = key(a);
    const kb = key(b);
    return ka < kb ? -1 : ka > kb ? 1 : 0;
  };
}

/** The normalised document the hash is taken over (exported for tests and `--explain`-style output). */
export function configDocument(stack: Stack, service: Service, imageId: string): unknown {
  const spec = containerSpec(stack, service);
  const networks = [{ network: spec.network, aliases: spec.aliases }, ...(spec.extraNetworks ?? [])]
    .map((placement) => ({ network: placement.network, aliases: [...placement.aliases].sort() }))
    .sort(byKey((placement) => placement.network));
  return {
    version: HASH_VERSION,
    imageId,
    command: spec.command ?? null,
    entrypoint: spec.entrypoint ?? null,
    env: sortedRecord(spec.env),
    ports: spec.ports
      .map((port) => [port.hostIp ?? '', port.published ?? 0, port.target, port.protocol] as const)
      .sort(byKey((port) => port.join('/'))),
    volumes: spec.volumes
      // Flags join the document only when there are some: a mount without them hashes as before.
      .map((mount) => (mount.options?.length ? ([mount.type, mount.source ?? '', mount.target, mount.readOnly, mount.options.join(',')] as const) : ([mount.type, mount.source ?? '', mount.target, mount.readOnly] as const)))
      .sort(byKey((mount) => `${mount[2]}\u0000${mount[0]}\u0000${mount[1]}`)),
    networks,
    restart: [spec.restart.name, spec.restart.maxRetries ?? null],
  };
}

/** 64 hex characters; shown shortened (first 12) in plans. */
export function configHash(stack: Stack, service: Service, imageId: string): string {
  return createHash('sha256').update(JSON.stringify(configDocument(stack, service, imageId))).digest('hex');
}

export function shortHash(hash: string): string {
  return hash.slice(0, 12);
}
