import { describe, expect, it } from 'vitest';
import { Demuxer, LineSplitter, demuxBuffer, isMultiplexed } from '../../../src/runtime/demux.js';

function frame(stream: 1 | 2, text: string): Buffer {
  const payload = Buffer.from(text);
  const header = Buffer.alloc(8);
  header[0] = stream;
  header.writeUInt32BE(payload.length, 4);
  return Buffer.concat([header, payload]);
}

describe('Demuxer', () => {
  it('splits frames in order, across chunk boundaries', () => {
    const all = Buffer.concat([frame(1, 'out 1\n'), frame(2, 'err 1\n'), frame(1, 'out 2\n')]);
    expect(demuxBuffer(all).map((c) => `${c.stream}:${c.data.toString()}`)).toEqual(['stdout:out 1\n', 'stderr:err 1\n', 'stdout:out 2\n']);
    const demuxer = new Demuxer();
    const got: string[] = [];
    for (let i = 0; i < all.length; i += 5) got.push(...demuxer.push(all.subarray(i, i + 5)).map((c) => c.data.toString()));
    expect(got).toEqual(['out 1\n', 'err 1\n', 'out 2\n']);
    expect(demuxer.remaining).toBe(0);
  });

  it('tells multiplexed output from raw TTY bytes', () => {
    expect(isMultiplexed(frame(1, 'x'))).toBe(true);
    expect(isMultiplexed(Buffer.from('plain text output\n'))).toBe(false);
  });
});

describe('LineSplitter', () => {
  it('joins partial lines across chunks and strips \\r', () => {
    const splitter = new LineSplitter();
    expect(splitter.push('a\r\nb')).toEqual(['a']);
    expect(splitter.push('c\nd')).toEqual(['bc']);
    expect(splitter.flush()).toEqual(['d']);
    expect(splitter.flush()).toEqual([]);
  });
});
