import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../../support/cli.js';

const FIXTURE = path.resolve('test/fixtures/ephemeral/stack.yaml');

describe('CI options of the CLI', () => {
  it('--ttl and --detach without --ephemeral are usage errors (exit 2) naming the flag', async () => {
    const run = await runCli(['up', '-f', FIXTURE, '--ttl', '10m', '--detach']);
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toBe('stackctl: --ttl and --detach only apply to an ephemeral stack\n  hint: add --ephemeral (or -p auto)\n');
  });

  it('--seed-snapshot applies to an ephemeral stack, and names services of the stack', async () => {
    const plain = await runCli(['up', '-f', FIXTURE, '--seed-snapshot']);
    expect(plain.exitCode).toBe(2);
    expect(plain.stderr).toBe('stackctl: --seed-snapshot only applies to an ephemeral stack\n  hint: add --ephemeral (or -p auto)\n');
    // Refused before anything of a copy exists (no reaper, no engine call).
    const unknown = await runCli(['up', '--ephemeral', '--seed-snapshot', 'postgres,mysql', '-f', FIXTURE]);
    expect(unknown.exitCode).toBe(2);
    expect(unknown.stderr).toBe('stackctl: --seed-snapshot names no service of stack eph-kill: mysql\n  hint: its services: postgres, redis\n');
  });

  it('--ttl takes a duration', async () => {
    const run = await runCli(['up', '--ephemeral', '--ttl', 'soon', '-f', FIXTURE]);
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toContain('--ttl expects a duration such as');
  });

  it('validate --format takes human, json or codequality', async () => {
    const run = await runCli(['validate', '-f', FIXTURE, '--format', 'sarif']);
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toBe('stackctl: --format takes human, json or codequality, not "sarif"\n');
  });

  it('port wants a container port number', async () => {
    const run = await runCli(['port', 'redis', 'http', '-f', FIXTURE]);
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toContain('port "http" is not a container port');
  });
});
