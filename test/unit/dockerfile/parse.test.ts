import { describe, expect, it } from 'vitest';
import { flagValue, parseCopyArgs, parseDockerfile, substitute } from '../../../src/dockerfile/parse.js';

describe('parseDockerfile', () => {
  it('joins continuations, drops comments inside them, and keeps each instruction\'s first and last line', () => {
    const text = ['FROM debian:bookworm-slim AS base', 'RUN apt-get update \\', '# a comment inside', '    && apt-get install -y curl', '', 'COPY . /app'].join('\n');
    expect(parseDockerfile(text)).toEqual([
      { keyword: 'FROM', args: 'debian:bookworm-slim AS base', line: 1, lastLine: 1 },
      { keyword: 'RUN', args: 'apt-get update && apt-get install -y curl', line: 2, lastLine: 4 },
      { keyword: 'COPY', args: '. /app', line: 6, lastLine: 6 },
    ]);
  });

  it('honours the escape directive only at the very top', () => {
    const text = ['# escape=`', 'FROM x', 'RUN echo a `', '  b'].join('\n');
    expect(parseDockerfile(text).map((i) => [i.keyword, i.args, i.line, i.lastLine])).toEqual([
      ['FROM', 'x', 2, 2],
      ['RUN', 'echo a b', 3, 4],
    ]);
    const late = ['FROM x', '# escape=`', 'RUN echo a `', 'COPY a b'].join('\n');
    expect(parseDockerfile(late).map((i) => i.keyword)).toEqual(['FROM', 'RUN', 'COPY']);
  });

  it('treats a heredoc body as part of its instruction, not as instructions', () => {
    const text = ['FROM x', 'RUN <<EOF', 'COPY not-an-instruction /x', 'EOF', 'COPY real /app'].join('\n');
    expect(parseDockerfile(text).map((i) => [i.keyword, i.line, i.lastLine])).toEqual([
      ['FROM', 1, 1],
      ['RUN', 2, 4],
      ['COPY', 5, 5],
    ]);
  });
});

describe('parseCopyArgs', () => {
  it('reads flags, the shell form with quotes, and the JSON form', () => {
    expect(parseCopyArgs('--from=common --chown=app ./lib "my dir" /app/')).toEqual({ flags: ['--from=common', '--chown=app'], sources: ['./lib', 'my dir'], dest: '/app/' });
    expect(parseCopyArgs('["a b", "c", "/dest"]')).toEqual({ flags: [], sources: ['a b', 'c'], dest: '/dest' });
    expect(flagValue(['--FROM=base'], 'from')).toBe('base');
  });

  it('refuses heredocs and a lone argument', () => {
    expect(parseCopyArgs('<<EOF /etc/x')).toBeUndefined();
    expect(parseCopyArgs('/only-dest')).toBeUndefined();
  });
});

describe('substitute', () => {
  it('follows the shell: ":-" for unset or empty, "-" for unset only; undefined when unresolvable', () => {
    expect(substitute('${A:-d}/${B-d}/$C', { A: '', B: '', C: 'c' })).toBe('d//c');
    expect(substitute('${MISSING-x}', {})).toBe('x');
    expect(substitute('$MISSING/app', {})).toBeUndefined();
  });
});
