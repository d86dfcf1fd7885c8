/** `--target` and `push` on the command line: usage errors, without touching an engine. */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { runCli } from '../../support/cli.js';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

describe('--target and push', () => {
  it('rejects an unknown target on every command that takes one', async () => {
    for (const command of ['up', 'down', 'ps', 'logs', 'test']) {
      const run = await runCli([command, '--target', 'nomad', '-f', path.join(repo, 'stack.yaml')], { cwd: repo });
      expect(run.exitCode, command).toBe(2);
      expect(run.stderr, command).toContain("option '--target <engine>' argument 'nomad' is invalid. expected local or swarm");
    }
  });

  it('push needs --registry, and checks it', async () => {
    const missing = await runCli(['push', '-f', path.join(repo, 'stack.yaml')], { cwd: repo });
    expect(missing.exitCode).toBe(2);
    expect(missing.stderr).toContain("required option '--registry <host/prefix>' not specified");
  });
});
