/**
 * The example stack on a live single-node Docker Swarm: `stackctl up --target swarm --test` makes the
 * engine a manager when it is none, deploys level by level with the authenticated healthchecks, brings
 * all ten services ready and the suite passes; `down --target swarm` removes the stack and its secrets;
 * the engine is left as it was found (scripts/with-swarm.sh holds the engine lock and leaves the swarm).
 * Host ports are away from the running example stack's fixed ones.
 */
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const project = `swarm-it-${process.pid}`;
const base = 21000 + (process.pid % 400) * 10;
const env: Record<string, string> = {
  POSTGRES_USER: 'pyairtable',
  POSTGRES_DB: 'pyairtable',
  POSTGRES_PASSWORD: randomBytes(12).toString('hex'),
  REDIS_PASSWORD: randomBytes(12).toString('hex'),
  API_KEY: randomBytes(16).toString('hex'),
  JWT_SECRET: randomBytes(16).toString('hex'),
  API_GATEWAY_PORT: String(base),
  MCP_SERVER_PORT: String(base + 1),
  AIRTABLE_GATEWAY_PORT: String(base + 2),
  LLM_ORCHESTRATOR_PORT: String(base + 3),
  AUTOMATION_SERVICES_PORT: String(base + 6),
  PLATFORM_SERVICES_PORT: String(base + 7),
  SAGA_ORCHESTRATOR_PORT: String(base + 8),
  FRONTEND_PORT: String(base + 9),
};
const docker = await execa('docker', ['info', '--format', '{{.Swarm.LocalNodeState}}'], { reject: false });

describe.skipIf(docker.exitCode !== 0)('stackctl up --target swarm (live, one node)', () => {
  it('brings all ten services ready and the suite passes, then removes everything', async () => {
    const before = String(docker.stdout).trim();
    const stackctl = `node ${path.join(repo, 'bin/stackctl.js')}`;
    const script = `${stackctl} up --target swarm -p ${project} --test; rc=$?; ${stackctl} down --target swarm -v -p ${project}; exit $rc`;
    const run = await execa('bash', [path.join(repo, 'scripts/with-swarm.sh'), 'bash', '-c', script], { cwd: repo, env, reject: false, all: true, timeout: 900_000 });
    const output = String(run.all);
    expect(output, output).toContain('10/10 services ready on swarm');
    expect(output).toContain('✔ PASSED');
    expect(output).toContain(`removed swarm stack ${project} and its secrets`);
    if (before === 'inactive') expect(output).toContain('docker swarm init');
    for (const key of ['POSTGRES_PASSWORD', 'REDIS_PASSWORD', 'API_KEY', 'JWT_SECRET']) expect(output).not.toContain(env[key]);
    expect(run.exitCode, output).toBe(0);
    const after = await execa('docker', ['info', '--format', '{{.Swarm.LocalNodeState}}']);
    expect(String(after.stdout).trim()).toBe(before);
    const secrets = await execa('docker', ['secret', 'ls', '-q', '--filter', `label=io.stackctl.stack=${project}`], { reject: false });
    expect(String(secrets.stdout).trim()).toBe('');
    const volumes = await execa('docker', ['volume', 'ls', '-q', '--filter', `label=com.docker.stack.namespace=${project}`]);
    expect(String(volumes.stdout).trim()).toBe('');
  }, 900_000);
});
