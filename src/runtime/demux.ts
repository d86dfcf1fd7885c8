/**
 * Docker's multiplexed output format (logs and exec of a container without a TTY): frames of an
 * 8-byte header — stream (1 stdout, 2 stderr), three zero bytes, big-endian length — then the payload.
 * Pure, incremental (a frame may arrive split across chunks), and tested without an engine.
 */
export type OutputStream = 'stdout' | 'stderr';

export interface OutputChunk {
  stream: OutputStream;
  data: Buffer;
}

export class Demuxer {
  private pending: Buffer = Buffer.alloc(0);

  /** Feeds raw bytes; returns the complete frames they finish. */
  push(chunk: Buffer): OutputChunk[] {
    this.pending = this.pending.length === 0 ? chunk : Buffer.concat([this.pending, chunk]);
    const out: OutputChunk[] = [];
    while (this.pending.length >= 8) {
      const length = this.pending.readUInt32BE(4);
      if (this.pending.length < 8 + length) break;
      const type = this.pending[0];
      out.push({ stream: type === 2 ? 'stderr' : 'stdout', data: this.pending.subarray(8, 8 + length) });
      this.pending = this.pending.subarray(8 + length);
    }
    return out;
  }

  /** Bytes of an unfinished frame (non-zero at the end of a stream means it was cut). */
  get remaining(): number {
    return this.pending.length;
  }
}

/** Demultiplexes a whole buffer, keeping the frames' order (stdout and stderr interleaved as written). */
export function demuxBuffer(buffer: Buffer): OutputChunk[] {
  return new Demuxer().push(buffer);
}

/** Does `buffer` look like multiplexed output (as opposed to a TTY's raw bytes)? */
export function isMultiplexed(buffer: Buffer): boolean {
  if (buffer.length < 8) return buffer.length === 0;
  const type = buffer[0];
  return (type === 0 || type === 1 || type === 2) && buffer[1] === 0 && buffer[2] === 0 && buffer[3] === 0;
}

/** Splits text into lines across chunks; a `\r\n` ending counts as `\n`. */
export class LineSplitter {
  private partial = '';

  push(text: string): string[] {
    const parts = (this.partial + text).split('\n');
    this.partial = parts.pop() ?? '';
    return parts.map((line) => (line.endsWith('\r') ? line.slice(0, -1) : line));
  }

  /** The last line when it had no newline. */
  flush(): string[] {
    const rest = this.partial;
    this.partial = '';
    return rest === '' ? [] : [rest.endsWith('\r') ? rest.slice(0, -1) : rest];
  }
}
