import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../../support/cli.js';

const dir = mkdtempSync(path.join(tmpdir(), 'stackctl-env-file-'));
writeFileSync(path.join(dir, 'stack.yaml'), 'name: ef\nservices:\n  app:\n    image: debian:bookworm-slim\n    environment: { GREETING: "${GREETING}", LEVEL: "${LEVEL:-info}" }\n');
writeFileSync(path.join(dir, 'docker-compose.yml'), 'services:\n  web:\n    image: debian:bookworm-slim\n    environment: { GREETING: "${GREETING}" }\n');
writeFileSync(path.join(dir, '.env'), 'GREETING=from-dotenv\n');
writeFileSync(path.join(dir, 'ci.env'), 'GREETING=from-ci\nLEVEL=debug\n');
writeFileSync(path.join(dir, 'late.env'), 'LEVEL=warn\n');
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const env = { PATH: process.env.PATH ?? '' };

describe('--env-file and STACKCTL_FILE', () => {
  it("--env-file replaces the project's .env, repeatable with a later file winning, for stack.yaml and compose files", async () => {
    const plain = await runCli(['config', '--format', 'json'], { cwd: dir, env });
    expect(JSON.parse(plain.stdout).services.app.environment).toEqual({ GREETING: 'from-dotenv', LEVEL: 'info' });
    const ci = await runCli(['config', '--format', 'json', '--env-file', 'ci.env', '--env-file', 'late.env'], { cwd: dir, env });
    expect(JSON.parse(ci.stdout).services.app.environment).toEqual({ GREETING: 'from-ci', LEVEL: 'warn' });
    const compose = await runCli(['validate', '--json', '-f', 'docker-compose.yml', '--env-file', 'ci.env'], { cwd: dir, env });
    expect(compose.exitCode, compose.stderr).toBe(0);
    const composeConfig = await runCli(['config', '--format', 'json', '-f', 'docker-compose.yml', '--env-file', 'ci.env'], { cwd: dir, env });
    expect(JSON.parse(composeConfig.stdout).services.web.environment).toEqual({ GREETING: 'from-ci' });
  });

  it('a missing --env-file is an error naming it', async () => {
    const missing = await runCli(['config', '--env-file', 'nope.env'], { cwd: dir, env });
    expect(missing.exitCode).toBe(1);
    expect(missing.stderr).toContain(`env file ${path.join(dir, 'nope.env')} does not exist`);
  });

  it('STACKCTL_FILE is -f from the environment; -f still wins', async () => {
    const other = mkdtempSync(path.join(tmpdir(), 'stackctl-env-file-cwd-'));
    try {
      const viaEnv = await runCli(['config', '--services'], { cwd: other, env: { ...env, STACKCTL_FILE: path.join(dir, 'docker-compose.yml') } });
      expect(viaEnv.stdout).toBe('web\n');
      const viaFlag = await runCli(['config', '--services', '-f', path.join(dir, 'stack.yaml')], { cwd: other, env: { ...env, STACKCTL_FILE: path.join(dir, 'docker-compose.yml') } });
      expect(viaFlag.stdout).toBe('app\n');
    } finally {
      rmSync(other, { recursive: true, force: true });
    }
  });
});
