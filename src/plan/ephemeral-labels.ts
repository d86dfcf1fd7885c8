/**
 * Labels of an ephemeral stack (`stackctl up --ephemeral`). They sit beside LABELS.stack on every
 * container, network and volume of the copy, so `stackctl gc` and the reaper find exactly the copy's
 * objects and nothing else: a stack without EPHEMERAL_LABELS.ephemeral is never touched by either.
 */
export const EPHEMERAL_LABELS = {
  /** 'true' on every object of an ephemeral copy. */
  ephemeral: 'io.stackctl.ephemeral',
  /** Unix time (seconds) after which the copy may be removed (`--ttl`); absent: no TTL. */
  expiresAt: 'io.stackctl.expires-at',
  /** 'true' on the copy's reaper container. */
  reaper: 'io.stackctl.reaper',
  /** The stack name the copy was made from (the file's `name`). */
  source: 'io.stackctl.source-stack',
} as const;

export function ephemeralLabels(sourceName: string, expiresAtMs: number | undefined): Record<string, string> {
  return {
    [EPHEMERAL_LABELS.ephemeral]: 'true',
    [EPHEMERAL_LABELS.source]: sourceName,
    ...(expiresAtMs === undefined ? {} : { [EPHEMERAL_LABELS.expiresAt]: String(Math.floor(expiresAtMs / 1000)) }),
  };
}

/** The expiry a set of labels carries (ms since the epoch), if any. */
export function expiresAtOf(labels: Readonly<Record<string, string>>): number | undefined {
  const raw = labels[EPHEMERAL_LABELS.expiresAt];
  if (raw === undefined || !/^\d+$/.test(raw)) return undefined;
  return Number(raw) * 1000;
}
