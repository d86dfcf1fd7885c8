/**
 * Server-sent events (text/event-stream): the framing the daemon writes and the incremental parser
 * its client reads with. Only what the daemon uses: `id`, `event`, `data` (one JSON line) and
 * comment lines as heartbeats.
 */

export interface SseMessage {
  id?: string;
  event?: string;
  data: string;
}

export function formatSse(message: SseMessage): string {
  let out = '';
  if (message.id !== undefined) out += `id: ${message.id}\n`;
  if (message.event !== undefined) out += `event: ${message.event}\n`;
  for (const line of message.data.split('\n')) out += `data: ${line}\n`;
  return `${out}\n`;
}

/** A heartbeat: a comment line keeps proxies and idle timeouts from closing the stream. */
export const SSE_HEARTBEAT = ': ping\n\n';

/** Feed it chunks as they arrive; it calls `onMessage` once per complete message. */
export class SseParser {
  private buffer = '';
  private current: { id?: string; event?: string; data: string[] } = { data: [] };

  constructor(private readonly onMessage: (message: SseMessage) => void) {}

  push(chunk: string): void {
    this.buffer += chunk;
    let newline = this.buffer.search(/\r?\n/);
    while (newline >= 0) {
      const line = this.buffer.slice(0, newline);
      this.buffer = this.buffer.slice(this.buffer[newline] === '\r' ? newline + 2 : newline + 1);
      this.line(line);
      newline = this.buffer.search(/\r?\n/);
    }
  }

  private line(line: string): void {
    if (line === '') {
      if (this.current.data.length > 0) {
        this.onMessage({ id: this.current.id, event: this.current.event, data: this.current.data.join('\n') });
      }
      this.current = { data: [] };
      return;
    }
    if (line.startsWith(':')) return;
    const colon = line.indexOf(':');
    const field = colon < 0 ? line : line.slice(0, colon);
    let value = colon < 0 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    if (field === 'data') this.current.data.push(value);
    else if (field === 'id') this.current.id = value;
    else if (field === 'event') this.current.event = value;
  }
}
