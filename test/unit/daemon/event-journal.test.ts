import { describe, expect, it } from 'vitest';
import { Redactor } from '../../../src/secrets.js';
import type { DaemonEvent, DaemonEventRecord } from '../../../src/daemon/api-types.js';
import { EventJournal } from '../../../src/daemon/event-journal.js';

const phase = (detail: string): DaemonEvent => ({ type: 'daemon.phase', at: 0, phase: 'supervising', detail });
const details = (records: DaemonEventRecord[]): string[] => records.map((r) => (r.event.type === 'daemon.phase' ? (r.event.detail ?? '') : r.event.type));

function journal(capacity = 10, secrets: string[] = []): EventJournal {
  let now = Date.UTC(2026, 0, 1);
  return new EventJournal(capacity, new Redactor(secrets), () => (now += 1_000));
}

describe('EventJournal', () => {
  it('numbers the records 1, 2, 3, … and stamps each with the clock', () => {
    const events = journal();
    for (const d of ['a', 'b', 'c']) events.record(phase(d));
    const records = events.since(0);
    expect(records.map((r) => r.id)).toEqual([1, 2, 3]);
    expect(records.map((r) => r.at)).toEqual(['2026-01-01T00:00:01.000Z', '2026-01-01T00:00:02.000Z', '2026-01-01T00:00:03.000Z']);
  });

  it('since(id) returns only the newer records, oldest first, out of what the buffer still holds', () => {
    const events = journal(3);
    for (const d of ['a', 'b', 'c', 'd', 'e']) events.record(phase(d));
    expect(details(events.since(3))).toEqual(['d', 'e']);
    expect(events.since(5)).toEqual([]);
    // 1 and 2 fell out of the ring: a client that saw nothing gets what is left, ids intact.
    expect(events.since(0).map((r) => r.id)).toEqual([3, 4, 5]);
  });

  it('hands each record to every subscriber, even when one of them throws, until it unsubscribes', () => {
    const events = journal();
    const seen: string[] = [];
    events.subscribe(() => {
      throw new Error('a broken stream');
    });
    const unsubscribe = events.subscribe((r) => seen.push(`second:${r.id}`));
    events.subscribe((r) => seen.push(`third:${r.id}`));
    expect(() => events.record(phase('a'))).not.toThrow();
    unsubscribe();
    events.record(phase('b'));
    expect(seen).toEqual(['second:1', 'third:1', 'third:2']);
    // The record is kept whatever the listeners did.
    expect(details(events.since(0))).toEqual(['a', 'b']);
  });

  it('redacts a record before it is kept or handed out', () => {
    const events = journal(10, ['hunter2-secret']);
    const handed: DaemonEventRecord[] = [];
    events.subscribe((r) => handed.push(r));
    events.record(phase('password hunter2-secret refused'));
    expect(details(handed)).toEqual(['password *** refused']);
    expect(details(events.since(0))).toEqual(['password *** refused']);
  });
});
