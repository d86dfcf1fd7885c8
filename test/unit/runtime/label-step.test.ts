import { describe, expect, it } from 'vitest';
import type { PreparedBuildContext } from '../../../src/runtime/build-context.js';
import { withLabelStep } from '../../../src/runtime/label-step.js';

const prepared = (dockerfile: string): PreparedBuildContext => ({ service: 'api', sources: [], dockerfilePath: 'api/Dockerfile', dockerfile, generated: [] });
const LABELS = { 'io.stackctl.context-hash': 'abc', 'io.stackctl.image.service': 'shared prefix of a, b' };

describe('withLabelStep', () => {
  it('appends the labels as one LABEL line, sent as a generated Dockerfile', () => {
    const out = withLabelStep(prepared('FROM x\nCOPY app /app\nRUN make\n'), LABELS, undefined)!;
    expect(out.dockerfile).toBe('FROM x\nCOPY app /app\nRUN make\nLABEL "io.stackctl.context-hash"="abc" "io.stackctl.image.service"="shared prefix of a, b"\n');
    expect(out.dockerfilePath).toMatch(/^\.stackctl-dockerfile-[0-9a-f]{16}$/);
    expect(out.generated).toEqual([{ name: out.dockerfilePath, content: Buffer.from(out.dockerfile) }]);
  });

  it('replaces an already generated Dockerfile instead of sending both', () => {
    const inline = { ...prepared('FROM x\n'), dockerfilePath: '.stackctl-dockerfile-0000', generated: [{ name: '.stackctl-dockerfile-0000', content: Buffer.from('FROM x\n') }] };
    expect(withLabelStep(inline, LABELS, undefined)!.generated.map((file) => file.name)).toEqual([expect.stringMatching(/^\.stackctl-dockerfile-(?!0000)/)]);
  });

  it('keeps the API labels wherever the change could show', () => {
    expect(withLabelStep(prepared('FROM x AS a\nFROM y AS b\n'), LABELS, 'a')).toBeUndefined();
    expect(withLabelStep(prepared('FROM x\nRUN make \\\n'), LABELS, undefined)).toBeUndefined();
    expect(withLabelStep(prepared('FROM x\nCOPY . /app\n'), LABELS, undefined)).toBeUndefined();
    expect(withLabelStep(prepared('FROM x\nCOPY *.py /app/\n'), LABELS, undefined)).toBeUndefined();
    expect(withLabelStep(prepared('FROM x\n'), { key: 'has $VAR' }, undefined)).toBeUndefined();
    expect(withLabelStep(prepared('FROM x AS build\nFROM y\nCOPY --from=build /out /out\n'), LABELS, undefined)).toBeDefined();
  });
});
