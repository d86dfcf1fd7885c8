/**
 * The daemon's event history: each event gets the next id (1, 2, 3, …) and a timestamp, goes through
 * the stack's Redactor, is kept in a ring buffer (the newest `capacity`, for replay after a
 * reconnect: `since`) and is handed to every live subscriber (the API's event streams, and the
 * restart action waiting for its service's outcome).
 */
import type { Redactor } from '../secrets.js';
import type { DaemonEvent, DaemonEventRecord } from './api-types.js';
import { RingBuffer } from './ring-buffer.js';

type Listener = (record: DaemonEventRecord) => void;

export class EventJournal {
  private readonly records: RingBuffer<DaemonEventRecord>;
  private readonly listeners = new Set<Listener>();
  private nextId = 1;

  constructor(
    capacity: number,
    private readonly redactor: Pick<Redactor, 'redactValue'>,
    private readonly clock: () => number,
  ) {
    this.records = new RingBuffer(capacity);
  }

  record(event: DaemonEvent): void {
    const record: DaemonEventRecord = this.redactor.redactValue({ id: this.nextId++, at: new Date(this.clock()).toISOString(), event });
    this.records.push(record);
    for (const listener of this.listeners) {
      try {
        listener(record);
      } catch {
        // a broken listener must not break the daemon, nor keep the event from the others
      }
    }
  }

  /** The records after `id` still in the buffer, oldest first. */
  since(id: number): DaemonEventRecord[] {
    return this.records.toArray().filter((record) => record.id > id);
  }

  /** Every record from now on; the returned function unsubscribes. */
  subscribe(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => void this.listeners.delete(listener);
  }
}
