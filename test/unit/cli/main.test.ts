import { describe, expect, it } from 'vitest';
import { Command } from 'commander';
import { runCli } from '../../support/cli.js';
import { registerCommands } from '../../../src/cli/commands/index.js';
import type { CliContext } from '../../../src/cli/context.js';
import { VERSION } from '../../../src/version.js';

describe('stackctl CLI shell', () => {
  it('prints help with exit code 0', async () => {
    const run = await runCli(['--help']);
    expect(run.exitCode).toBe(0);
    expect(run.stdout).toContain('Usage: stackctl');
    expect(run.stdout).toMatch(/validate/);
  });

  it('answers an unknown command with a suggestion and exit code 2', async () => {
    const run = await runCli(['valdate']);
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toContain("unknown command 'valdate'");
    expect(run.stderr).toContain('validate');
  });

  it('answers an unknown option with exit code 2 and no stack trace', async () => {
    const run = await runCli(['validate', '--no-such-option']);
    expect(run.exitCode).toBe(2);
    expect(run.stderr).not.toMatch(/\n\s+at /);
  });

  it('offers --help on every command', async () => {
    for (const command of ['validate', 'plan', 'import', 'export', 'up', 'down', 'ps', 'logs', 'test', 'report', 'restart', 'daemon']) {
      const run = await runCli([command, '--help']);
      expect(run.exitCode, command).toBe(0);
      expect(run.stdout, command).toContain(`Usage: stackctl ${command}`);
    }
  });

  it('prints the version without loading any command (the start-up floor), and still every command for help', async () => {
    for (const flag of ['--version', '-V']) {
      const run = await runCli([flag]);
      expect(run.exitCode, flag).toBe(0);
      expect(run.stdout.trim(), flag).toBe(VERSION);
      const program = new Command('stackctl');
      await registerCommands(program, {} as CliContext, ['node', 'stackctl', flag]);
      expect(program.commands, flag).toHaveLength(0);
    }
    const program = new Command('stackctl');
    await registerCommands(program, {} as CliContext, ['node', 'stackctl', '--help']);
    expect(program.commands.map((command) => command.name())).toContain('up');
  });
});
