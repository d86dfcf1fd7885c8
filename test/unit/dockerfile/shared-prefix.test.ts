import { describe, expect, it } from 'vitest';
import { copySources, resolveSteps, sharedPrefixes, sourcesKey, type PrefixCandidate } from '../../../src/dockerfile/shared-prefix.js';

const python = (app: string, extra = ''): string => `FROM debian:bookworm-slim
RUN apt-get update && apt-get install -y --no-install-recommends \\
    python3 python3-redis && rm -rf /var/lib/apt/lists/*
COPY common /opt/common
ENV PYTHONPATH=/opt/common
${extra}COPY ${app} /app
CMD ["python3", "-m", "app"]
`;

/** Every COPY source digested as "<digest of its name>" unless `digests` says otherwise. */
function candidate(id: string, dockerfile: string, args: Record<string, string> = {}, digests: Record<string, string> = {}): PrefixCandidate {
  const map = new Map<string, string>();
  for (const sources of copySources(dockerfile)) map.set(sourcesKey(sources), digests[sources.join(',')] ?? `d(${sources.join(',')})`);
  return { id, resolved: resolveSteps(dockerfile, args, map) };
}

describe('resolveSteps', () => {
  it('keys FROM by the resolved reference, ARG by its value, COPY by content and destination', () => {
    const text = 'ARG BASE=debian:bookworm-slim\nFROM ${BASE} AS build\nARG LEVEL=1\nCOPY src /src\nRUN make\n';
    const resolved = resolveSteps(text, { LEVEL: '2' }, new Map([[sourcesKey(['src']), 'abc']]));
    expect(resolved.preamble).toEqual(['ARG BASE=debian:bookworm-slim']);
    expect(resolved.steps.map((step) => step.key)).toEqual(['FROM debian:bookworm-slim', 'ARG ["LEVEL=2"]', 'COPY [] abc /src', 'RUN make']);
    expect(resolved.steps.map((step) => step.work)).toEqual([false, false, true, true]);
  });

  it('ends at what it cannot compare: a second stage, COPY --from, a glob, the whole context, an undigested source', () => {
    const cut = (body: string): number => resolveSteps(`FROM a\nRUN one\n${body}\nRUN two\n`, {}, new Map([[sourcesKey(['x']), 'dx']])).steps.length;
    expect(cut('COPY x /x')).toBe(4);
    expect(cut('FROM b')).toBe(2);
    expect(cut('COPY --from=builder /out /out')).toBe(2);
    expect(cut('COPY *.py /app/')).toBe(2);
    expect(cut('COPY . /app')).toBe(2);
    expect(cut('COPY y /y')).toBe(2);
    expect(cut('ONBUILD RUN x')).toBe(2);
  });

  it('a base it cannot resolve gives no steps', () => {
    expect(resolveSteps('ARG BASE\nFROM ${BASE}\nRUN x\n', {}, new Map()).steps).toEqual([]);
    expect(resolveSteps('ARG BASE\nFROM ${BASE}\nRUN x\n', { BASE: 'alpine' }, new Map()).steps.map((step) => step.key)).toEqual(['FROM alpine', 'RUN x']);
  });
});

describe('sharedPrefixes', () => {
  it('finds the steps eight Python images share, up to where they part, as one stage', () => {
    const names = ['api', 'auth', 'billing', 'files', 'llm', 'mcp', 'saga', 'web'];
    const candidates = [
      candidate('postgres', 'FROM debian:bookworm-slim\nRUN apt-get update && apt-get install -y postgresql-15\nCMD ["postgres"]\n'),
      candidate('redis', 'FROM debian:bookworm-slim\nRUN apt-get update && apt-get install -y redis-server\n'),
      ...names.map((name) => candidate(name, python(name))),
    ];
    const prefixes = sharedPrefixes(candidates);
    expect(prefixes).toHaveLength(1);
    const [prefix] = prefixes;
    expect(prefix!.members).toEqual(names);
    expect(prefix!.length).toBe(4);
    expect(prefix!.workSteps).toBe(2);
    expect(prefix!.parent).toBeUndefined();
    // The stage is the first member's text for those steps, continuation lines and all.
    expect(prefix!.dockerfile).toBe(
      'FROM debian:bookworm-slim\nRUN apt-get update && apt-get install -y --no-install-recommends \\\n    python3 python3-redis && rm -rf /var/lib/apt/lists/*\nCOPY common /opt/common\nENV PYTHONPATH=/opt/common\n',
    );
  });

  it('a shared FROM alone is not worth a stage', () => {
    expect(sharedPrefixes([candidate('a', 'FROM x\nRUN a\n'), candidate('b', 'FROM x\nRUN b\n')])).toEqual([]);
  });

  it('nests: a subset sharing more steps gets its own stage on top of its parent', () => {
    const prefixes = sharedPrefixes([
      candidate('a', python('a')),
      candidate('b', python('b', 'RUN pip install heavy\n')),
      candidate('c', python('c', 'RUN pip install heavy\n')),
    ]);
    expect(prefixes.map((prefix) => [prefix.members.join(','), prefix.length])).toEqual([
      ['a,b,c', 4],
      ['b,c', 5],
    ]);
    expect(prefixes[1]!.parent).toBe(prefixes[0]!.key);
  });

  it('different content behind the same COPY line, or a different build arg, parts them', () => {
    const text = 'FROM x\nARG V=1\nCOPY common /c\nRUN build\n';
    expect(sharedPrefixes([candidate('a', text, {}, { common: 'one' }), candidate('b', text, {}, { common: 'two' })])).toEqual([]);
    expect(sharedPrefixes([candidate('a', text), candidate('b', text, { V: '2' })])).toEqual([]);
    expect(sharedPrefixes([candidate('a', text), candidate('b', text, { V: '1' })])[0]?.length).toBe(4);
  });

  it('the same files copied from differently named paths are the same step', () => {
    const prefixes = sharedPrefixes([
      candidate('a', 'FROM x\nCOPY lib /lib\nRUN a\n', {}, { lib: 'same' }),
      candidate('b', 'FROM x\nCOPY ./shared/lib /lib\nRUN b\n', {}, { './shared/lib': 'same' }),
    ]);
    expect(prefixes.map((prefix) => prefix.length)).toEqual([2]);
  });

  it('gives the same key for the same steps, whichever image they come from', () => {
    const one = sharedPrefixes([candidate('a', python('a')), candidate('b', python('b'))]);
    const two = sharedPrefixes([candidate('x', python('x')), candidate('y', python('y'))]);
    expect(one[0]!.key).toBe(two[0]!.key);
  });
});
