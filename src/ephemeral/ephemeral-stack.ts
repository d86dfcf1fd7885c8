/**
 * An ephemeral copy of a stack: a unique name (so its containers, network and volumes are its own),
 * every published host port chosen by the engine on 127.0.0.1 unless the stack pins it, and the
 * ephemeral labels. Pure: stack in, stack out.
 *
 * What pins a port. A host port in stack.yaml is usually a developer's default —
 * `"127.0.0.1:${API_GATEWAY_PORT:-8000}:8000"`, a literal `"8000:8000"` in a compose file, or a value
 * in `.env` — and an ephemeral copy ignores every one of those, since two copies using them collide.
 * A port is pinned only when the variable its host port comes from is set in the environment of
 * the run itself (`API_GATEWAY_PORT=9000 stackctl up --ephemeral`, or the Node API's `env`): that is
 * a deliberate choice made for this run, not a default written down for another.
 */
import { randomBytes } from 'node:crypto';
import type { PortMapping, Service, Stack } from '../config/model.js';
import { LOOPBACK } from '../plan/container-spec.js';
import { ephemeralLabels } from '../plan/ephemeral-labels.js';

export interface EphemeralOptions {
  /** The run's own environment (process.env): a port variable set here pins its port. */
  env: Readonly<Record<string, string | undefined>>;
  /** Time to live: the copy may be removed after this long (ms); undefined: no TTL. */
  ttlMs?: number;
  /** Name to use instead of `<name>-<6 hex>`. */
  name?: string;
  now?: () => number;
  random?: () => string;
}

export interface PortDecision {
  service: string;
  target: number;
  /** The host port in the file (after interpolation), if any. */
  declared?: number;
  pinned: boolean;
  /** Why pinned: the variable set in the environment. */
  variable?: string;
}

export interface EphemeralStack {
  stack: Stack;
  ports: PortDecision[];
  expiresAtMs?: number;
}

/** `<name>-<6 hex>`: stack names stay valid (lower-case, digits, '-'). */
export function ephemeralName(base: string, random: () => string = () => randomBytes(3).toString('hex')): string {
  return `${base}-${random()}`;
}

/**
 * The ports of one service paired with the index of the `ports:` entry each came from (a range
 * expands to several mappings of one entry, which share its location).
 */
function entryIndices(service: Service): number[] {
  const seen: string[] = [];
  return service.ports.map((port) => {
    const key = `${port.location.file}:${port.location.line}:${port.location.col}`;
    if (!seen.includes(key)) seen.push(key);
    return seen.indexOf(key);
  });
}

/** Variables set in the run's environment that a `ports:` entry of the service refers to, by entry. */
function pinningVariables(stack: Stack, service: Service, env: EphemeralOptions['env']): Map<number, string> {
  const pins = new Map<number, string>();
  for (const reference of stack.variables) {
    const [root, name, key, index] = reference.path;
    if (root !== 'services' || name !== service.name || key !== 'ports' || typeof index !== 'number') continue;
    const value = env[reference.name];
    if (value !== undefined && value !== '' && !reference.defaulted) pins.set(index, reference.name);
  }
  return pins;
}

export function makeEphemeral(stack: Stack, options: EphemeralOptions): EphemeralStack {
  const now = options.now ?? Date.now;
  const name = options.name ?? ephemeralName(stack.name, options.random);
  const expiresAtMs = options.ttlMs === undefined ? undefined : now() + options.ttlMs;
  const decisions: PortDecision[] = [];
  const services = stack.services.map((service): Service => {
    const pins = pinningVariables(stack, service, options.env);
    const indices = entryIndices(service);
    const ports = service.ports.map((port, i): PortMapping => {
      const variable = pins.get(indices[i]!);
      const decision: PortDecision = { service: service.name, target: port.target, pinned: variable !== undefined };
      if (port.published !== undefined) decision.declared = port.published;
      if (variable !== undefined) decision.variable = variable;
      decisions.push(decision);
      if (variable !== undefined) return port;
      const { published: _published, ...rest } = port;
      return { ...rest, hostIp: LOOPBACK };
    });
    return { ...service, ports };
  });
  return {
    stack: { ...stack, name, services, labels: { ...stack.labels, ...ephemeralLabels(stack.name, expiresAtMs) } },
    ports: decisions,
    ...(expiresAtMs === undefined ? {} : { expiresAtMs }),
  };
}
