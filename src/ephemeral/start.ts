/**
 * The first steps of an ephemeral copy, shared by `stackctl up --ephemeral` and the Node API: make
 * the copy (unique name, engine-chosen ports), then start its reaper and connect to it — before
 * anything else of the copy exists, so that from here on the death of this process removes it.
 */
import type { Stack } from '../config/model.js';
import type { Runtime } from '../runtime/runtime.js';
import { makeEphemeral, type PortDecision } from './ephemeral-stack.js';
import { startReaper, type ReaperSession } from './reaper.js';

/** `--ttl` when none is given: a copy nobody removes is gone after this long. */
export const DEFAULT_TTL_MS = 30 * 60_000;

export interface EphemeralStartOptions {
  env: Readonly<Record<string, string | undefined>>;
  /** Default DEFAULT_TTL_MS; 0 = no TTL (the reaper then only watches its owner). */
  ttlMs?: number;
  name?: string;
  signal?: AbortSignal;
}

export interface EphemeralCopy {
  /** The stack as written (`--seed-snapshot` keys its snapshots by it). */
  source: Stack;
  stack: Stack;
  ports: PortDecision[];
  expiresAtMs?: number;
  session: ReaperSession;
}

export async function startEphemeral(stack: Stack, runtimeFor: (name: string) => Runtime, options: EphemeralStartOptions): Promise<EphemeralCopy> {
  const ttlMs = options.ttlMs ?? DEFAULT_TTL_MS;
  const copy = makeEphemeral(stack, { env: options.env, ...(ttlMs > 0 ? { ttlMs } : {}), ...(options.name ? { name: options.name } : {}) });
  const session = await startReaper(runtimeFor(copy.stack.name), copy.stack, {
    env: options.env,
    ...(copy.expiresAtMs !== undefined ? { expiresAtMs: copy.expiresAtMs } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
  });
  return { ...copy, source: stack, session };
}

/** "api-gateway 8000, frontend 3000" — the ports the environment pinned, for the first line of output. */
export function describePins(ports: readonly PortDecision[]): string {
  const pinned = ports.filter((port) => port.pinned);
  if (pinned.length === 0) return 'every host port chosen by the engine';
  return `host ports chosen by the engine except ${pinned.map((port) => `${port.service}:${port.declared ?? '?'}->${port.target} (${port.variable})`).join(', ')}`;
}
