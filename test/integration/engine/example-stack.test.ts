/**
 * The example stack (stack.yaml at the repo root) through the real CLI: up from scratch to all ten
 * services ready, a second up that changes nothing, ps, logs, and down -v that removes everything of
 * the stack and nothing else. Own project name, fresh secrets, free host ports.
 */
import { existsSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ORDER } from '../example-stack/harness.js';
import { ROOT, docker, dockerLines, exampleEnv, labelled, purge, resultLine, stackctl, uniqueName } from './cli.js';

const project = uniqueName('it-engine-example');
const unrelated = uniqueName('it-engine-unrelated');
const lookalike = uniqueName('it-engine-lookalike');
let env: Record<string, string>;
const outputs: string[] = [];
const logFile = path.join(ROOT, '.stackctl', 'logs', `${project}.log`);

async function ids(): Promise<string[]> {
  return (await dockerLines(['ps', '-a', '--filter', `label=io.stackctl.stack=${project}`, '--format', '{{.ID}} {{.Names}}'])).sort();
}

beforeAll(async () => {
  env = await exampleEnv(project);
  // Something that is not ours, and something that only looks like ours: a container run from an
  // image with the stack's labels but never created by stackctl (no config hash).
  await docker(['run', '-d', '--name', unrelated, 'debian:bookworm-slim', 'sleep', '3600']);
  await docker(['run', '-d', '--name', lookalike, '--label', `io.stackctl.stack=${project}`, '--label', 'io.stackctl.service=redis', 'debian:bookworm-slim', 'sleep', '3600']);
});

afterAll(async () => {
  await purge(project);
  await docker(['rm', '-f', unrelated, lookalike]);
  rmSync(logFile, { force: true });
});

describe('stackctl up/ps/logs/down on the example stack', () => {
  it('up from scratch brings all ten services to ready', { timeout: 900_000 }, async () => {
    const run = await stackctl(['up', '--progress', 'plain'], env);
    outputs.push(run.stdout, run.stderr);
    expect(run.exitCode, run.stdout + run.stderr).toBe(0);
    expect(run.stdout).toContain(`stack ${project}: 10 of 10 services ready`);
    for (const service of ORDER) expect(run.stdout).toMatch(new RegExp(`✔ ${service}\\s+ready `));
  });

  it('a second up is a no-op: plan up to date, no container replaced', { timeout: 120_000 }, async () => {
    const before = await ids();
    const run = await stackctl(['up', '--json'], env);
    outputs.push(run.stdout, run.stderr);
    expect(run.exitCode, run.stdout + run.stderr).toBe(0);
    const result = resultLine(run.stdout);
    expect(result).toMatchObject({ type: 'up.result', ok: true, noop: true });
    // The result lists services in the graph's dependency order: level by level, file order inside a
    // level (saga-orchestrator, level 3, before llm-orchestrator and automation-services, level 4).
    const startOrder = ['postgres', 'redis', 'platform-services', 'airtable-gateway', 'mcp-server', 'saga-orchestrator', 'llm-orchestrator', 'automation-services', 'api-gateway', 'frontend'];
    expect(result.services?.map((s) => `${s.service}:${s.action}:${s.state}`)).toEqual(startOrder.map((s) => `${s}:keep:ready`));
    expect(await ids()).toEqual(before);
    // Informational (the target lives in bench/up-bench.mjs): how long the no-op took here.
    console.info(`no-op up: ${Math.round(run.ms)} ms wall (engine ${String(result.durationMs)} ms)`);
  });

  it('ps shows every service running and ready, with its ports', { timeout: 60_000 }, async () => {
    const run = await stackctl(['ps', '--json'], env);
    outputs.push(run.stdout, run.stderr);
    expect(run.exitCode, run.stderr).toBe(0);
    const rows = JSON.parse(run.stdout) as Array<{ service: string; state: string; readiness: string; ports: string[] }>;
    expect(rows.map((row) => `${row.service}:${row.state}:${row.readiness}`)).toEqual(ORDER.map((s) => `${s}:running:ready`));
    expect(rows.find((row) => row.service === 'api-gateway')?.ports).toEqual([`127.0.0.1:${env.API_GATEWAY_PORT}->8000/tcp`]);
  });

  it('logs prefixes every line with its service', { timeout: 60_000 }, async () => {
    const run = await stackctl(['logs', 'platform-services', 'redis', '--tail', '3'], env);
    outputs.push(run.stdout, run.stderr);
    expect(run.exitCode, run.stderr).toBe(0);
    const lines = run.stdout.trim().split('\n');
    expect(lines.length).toBeGreaterThan(0);
    for (const line of lines) expect(line).toMatch(/^(platform-services \||redis {13}\|) /);
    expect(lines.some((line) => line.startsWith('redis'))).toBe(true);
    const unknown = await stackctl(['logs', 'no-such-service'], env);
    expect(unknown.exitCode).toBe(2);
    expect(unknown.stderr).toContain('no service named "no-such-service"');
  });

  it('secrets never appear in the output or the log file', () => {
    const secrets = [env.POSTGRES_PASSWORD!, env.REDIS_PASSWORD!, env.API_KEY!, env.JWT_SECRET!];
    expect(existsSync(logFile)).toBe(true);
    const texts = [...outputs, readFileSync(logFile, 'utf8')];
    for (const secret of secrets) for (const text of texts) expect(text).not.toContain(secret);
  });

  it('down -v removes every container, network and volume of the stack, and nothing else', { timeout: 300_000 }, async () => {
    const run = await stackctl(['down', '-v'], env);
    expect(run.exitCode, run.stdout + run.stderr).toBe(0);
    expect(run.stdout).toMatch(new RegExp(`stack ${project}: removed 10 containers, network ${project}_default, volumes `));
    const left = await labelled(project);
    expect(left).toEqual({ containers: [lookalike], networks: [], volumes: [] });
    expect(await docker(['inspect', '-f', '{{.State.Running}}', unrelated])).toBe('true');
    expect(await docker(['inspect', '-f', '{{.State.Running}}', lookalike])).toBe('true');
  });
});
