import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { BuildSpec } from '../../../src/config/model.js';
import { computeContextHash } from '../../../src/runtime/context-hash.js';

let dir: string;

beforeEach(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'stackctl-hash-'));
  await fs.mkdir(path.join(dir, 'app'));
  await fs.writeFile(path.join(dir, 'Dockerfile'), 'FROM debian:bookworm-slim\nCOPY app /app\n');
  await fs.writeFile(path.join(dir, '.dockerignore'), '**/*.pyc\n');
  await fs.writeFile(path.join(dir, 'app', 'main.py'), 'print("hi")\n');
});
afterEach(async () => {
  await fs.rm(dir, { recursive: true, force: true });
});

function spec(overrides: Partial<BuildSpec> = {}): BuildSpec {
  return {
    context: dir,
    dockerfile: path.join(dir, 'Dockerfile'),
    args: { A: '1', B: '2' },
    additionalContexts: {},
    location: { file: 'stack.yaml', line: 1, col: 1 },
    ...overrides,
  };
}

describe('computeContextHash', () => {
  it('is stable: same files, args in another order, touched files → same hash', async () => {
    const first = await computeContextHash(spec(), 'svc');
    expect(first).toMatch(/^[0-9a-f]{64}$/);
    const later = new Date(Date.now() + 60_000);
    await fs.utimes(path.join(dir, 'app', 'main.py'), later, later);
    expect(await computeContextHash(spec({ args: { B: '2', A: '1' } }), 'svc')).toBe(first);
  });

  it('ignores files .dockerignore excludes', async () => {
    const before = await computeContextHash(spec(), 'svc');
    await fs.writeFile(path.join(dir, 'app', 'main.pyc'), 'bytecode');
    expect(await computeContextHash(spec(), 'svc')).toBe(before);
  });

  it('changes with file content, a new file, the executable bit, the Dockerfile, args and target', async () => {
    const seen = new Set<string>([await computeContextHash(spec(), 'svc')]);
    const expectNew = async (build: BuildSpec = spec()): Promise<void> => {
      const hash = await computeContextHash(build, 'svc');
      expect(seen.has(hash)).toBe(false);
      seen.add(hash);
    };
    await fs.writeFile(path.join(dir, 'app', 'main.py'), 'print("bye")\n');
    await expectNew();
    await fs.writeFile(path.join(dir, 'app', 'extra.py'), '');
    await expectNew();
    await fs.chmod(path.join(dir, 'app', 'extra.py'), 0o755);
    await expectNew();
    await fs.appendFile(path.join(dir, 'Dockerfile'), 'CMD ["python3"]\n');
    await expectNew();
    await expectNew(spec({ args: { A: '1', B: '3' } }));
    await expectNew(spec({ target: 'runtime' }));
  });

  it('changes when a file is renamed with the same content', async () => {
    const before = await computeContextHash(spec(), 'svc');
    await fs.rename(path.join(dir, 'app', 'main.py'), path.join(dir, 'app', '__main__.py'));
    expect(await computeContextHash(spec(), 'svc')).not.toBe(before);
  });
});
