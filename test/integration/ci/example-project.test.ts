/**
 * examples/ci-node-api: a project whose own vitest suite starts the example stack through the Node
 * API (`import { Stack } from 'stackctl'` in a globalSetup). Linked as npm's `file:../..` would, run
 * with this repository's vitest, and checked to leave nothing of its ephemeral copy behind.
 */
import { existsSync, mkdirSync, rmSync, symlinkSync } from 'node:fs';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT, dockerLines, exampleSecrets } from '../engine/cli.js';

const EXAMPLE = path.join(ROOT, 'examples/ci-node-api');
const LINK = path.join(EXAMPLE, 'node_modules/stackctl');

async function copiesOfExample(): Promise<string[]> {
  return dockerLines(['ps', '-a', '--filter', 'label=io.stackctl.ephemeral=true', '--filter', 'label=io.stackctl.source-stack=pyairtable', '--format', '{{.Names}}']);
}

beforeAll(async () => {
  // What `npm install` does for "stackctl": "file:../..".
  mkdirSync(path.dirname(LINK), { recursive: true });
  if (!existsSync(LINK)) symlinkSync(path.relative(path.dirname(LINK), ROOT), LINK, 'dir');
});

afterAll(() => {
  rmSync(path.join(EXAMPLE, 'node_modules'), { recursive: true, force: true });
});

describe('examples/ci-node-api', () => {
  it("its test suite passes against an ephemeral copy started through the Node API, and the copy is gone after", { timeout: 600_000 }, async () => {
    const before = await copiesOfExample();
    const run = await execa('node', [path.join(ROOT, 'node_modules/vitest/vitest.mjs'), 'run', '--root', EXAMPLE], {
      cwd: EXAMPLE,
      env: { ...exampleSecrets(), NO_COLOR: '1', CI: 'true' },
      extendEnv: true,
      reject: false,
      timeout: 540_000,
    });
    const output = `${String(run.stdout)}\n${String(run.stderr)}`;
    expect(run.exitCode, output.slice(-4000)).toBe(0);
    expect(output).toMatch(/Tests\s+5 passed \(5\)/);
    expect(await copiesOfExample()).toEqual(before);
  });
});
