/**
 * The checks that keep the code's shape from drifting, in `make test`: no unused files, dependencies
 * or exports (knip, knip.jsonc), and imports only in the allowed direction between the rooms of src/
 * with no cycles (dependency-cruiser, .dependency-cruiser.cjs — the layers of docs/architecture.md).
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const bin = (name: string): string => path.join(ROOT, 'node_modules/.bin', name);

describe('code shape', () => {
  it('knip finds no unused file, dependency or export', { timeout: 120_000 }, async () => {
    const run = await execa(bin('knip'), ['--no-progress', '--no-config-hints'], { cwd: ROOT, reject: false, all: true });
    expect(run.exitCode, run.all).toBe(0);
  });

  it('every import goes down the layers (cli → daemon → suite → … → config), with no cycle', { timeout: 120_000 }, async () => {
    const run = await execa(bin('depcruise'), ['src', '--config', '.dependency-cruiser.cjs', '--output-type', 'err'], { cwd: ROOT, reject: false, all: true });
    expect(run.exitCode, run.all).toBe(0);
  });
});
