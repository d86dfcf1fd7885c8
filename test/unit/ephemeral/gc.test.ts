import { describe, expect, it } from 'vitest';
import { decideGc } from '../../../src/ephemeral/gc.js';
import type { LabelledObject } from '../../../src/runtime/runtime.js';

const NOW = Date.parse('2026-01-01T12:00:00Z');

function object(kind: LabelledObject['kind'], stack: string, labels: Record<string, string>, extra: Partial<LabelledObject> = {}): LabelledObject {
  return { kind, id: `${stack}-${kind}`, name: `${stack}-${kind}`, stack, labels: { 'io.stackctl.stack': stack, ...labels }, createdAt: new Date(NOW - 3_600_000), ...extra };
}

const EPHEMERAL = { 'io.stackctl.ephemeral': 'true' };
const REAPER = { ...EPHEMERAL, 'io.stackctl.reaper': 'true' };

describe('decideGc', () => {
  it('removes expired and orphaned copies, keeps live ones and never considers a non-ephemeral stack', () => {
    const expires = (ms: number) => ({ 'io.stackctl.expires-at': String(Math.floor(ms / 1000)) });
    const decisions = decideGc(
      [
        // expired, reaper still running
        object('container', 'a', { ...REAPER, ...expires(NOW - 60_000) }, { running: true }),
        object('volume', 'a', { ...EPHEMERAL, ...expires(NOW - 60_000) }),
        // orphaned: reaper gone, an hour old
        object('container', 'b', EPHEMERAL, { running: true }),
        object('network', 'b', EPHEMERAL),
        // live
        object('container', 'c', { ...REAPER, ...expires(NOW + 600_000) }, { running: true }),
        object('container', 'c', EPHEMERAL, { running: false }),
        // being started right now: no reaper running yet, but young
        object('container', 'd', REAPER, { running: false, createdAt: new Date(NOW - 5_000) }),
        // not ephemeral at all (a developer's stack whose containers are stopped)
        object('container', 'e', {}, { running: false }),
      ],
      NOW,
    );
    expect(decisions.map((d) => `${d.stack}:${d.action}:${d.reason}:${d.containers}/${d.networks}/${d.volumes}`)).toEqual([
      'a:remove:expired:1/0/1',
      'b:remove:orphaned:1/1/0',
      'c:keep:live:2/0/0',
      'd:keep:live:1/0/0',
    ]);
  });
});
