/**
 * The suite's redis check speaks the readiness probe's client (probes/redis.ts): against a small RESP
 * server on 127.0.0.1 — PONG with the right password, the server's own WRONGPASS words (never the
 * password) with the wrong one, NOAUTH without one, and a refused connection classified as such so
 * the root cause can name the service.
 */
import { createServer, type Server } from 'node:net';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseYamlSource } from '../../../src/config/yaml-source.js';
import type { CheckResult } from '../../../src/report/model.js';
import { Redactor } from '../../../src/secrets.js';
import { RunContext } from '../../../src/suite/context.js';
import { parseSuite } from '../../../src/suite/load-suite.js';
import { prepareContext, runChecks } from '../../../src/suite/runner.js';
import { endpointsFromStack } from '../../../src/suite/service-state.js';
import { deadPort, makeStack, service } from './helpers.js';

const PASSWORD = 'redis-pass-7f3a9c';
let server: Server;
let port: number;
let down: number;
let dir: string;

/** Answers AUTH and PING as a redis with requirepass would. */
function fakeRedis(): Server {
  return createServer((socket) => {
    let authed = false;
    let buffer = '';
    socket.on('data', (chunk) => {
      buffer += chunk.toString('utf8');
      for (let match = /^\*(\d+)\r\n((?:\$\d+\r\n[^\r]*\r\n)+)/.exec(buffer); match; match = /^\*(\d+)\r\n((?:\$\d+\r\n[^\r]*\r\n)+)/.exec(buffer)) {
        buffer = buffer.slice(match[0].length);
        const words = match[2]!.split('\r\n').filter((_, i) => i % 2 === 1);
        if (words[0] === 'AUTH') {
          authed = words[1] === PASSWORD;
          socket.write(authed ? '+OK\r\n' : '-WRONGPASS invalid username-password pair or user is disabled.\r\n');
        } else if (words[0] === 'PING') {
          socket.write(authed ? '+PONG\r\n' : '-NOAUTH Authentication required.\r\n');
        }
      }
    });
  });
}

beforeAll(async () => {
  server = fakeRedis();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as { port: number }).port;
  down = await deadPort();
  dir = await mkdtemp(join(tmpdir(), 'stackctl-redis-check-'));
});
afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
  await rm(dir, { recursive: true, force: true });
});

async function run(password: string | undefined, target: () => number): Promise<CheckResult> {
  const stack = makeStack(dir, [service('cache', target())]);
  const yaml = `version: 1\nname: t\ncategories:\n  - name: Cache\n    checks:\n      - { name: ping, service: cache, redis: { ${password === undefined ? '' : `password: "${password}"`} } }\n`;
  const { suite, diagnostics } = parseSuite(parseYamlSource(yaml, join(dir, 'suite.yaml')), { stack });
  if (!suite) throw new Error(diagnostics.map((d) => d.message).join('\n'));
  const ctx = new RunContext({
    signal: new AbortController().signal,
    env: {},
    runId: 'run-1',
    random: 'abc',
    endpoints: endpointsFromStack(stack),
    redactor: new Redactor([]),
    scratchDir: dir,
    launchBrowser: () => Promise.reject(new Error('no browser in this test')),
  });
  prepareContext(suite, ctx);
  const [result] = await runChecks(suite, ctx, {});
  return ctx.redactor.redactValue(result!);
}

describe('the suite redis check (the probe\'s client)', () => {
  it('passes on AUTH + PING → PONG', async () => {
    expect(await run(PASSWORD, () => port)).toMatchObject({ status: 'passed' });
  });

  it('a wrong password fails with the server\'s words and never the password', async () => {
    const result = await run('not-the-password-123', () => port);
    expect(result.status).toBe('failed');
    expect(result.message).toMatch(/AUTH refused: WRONGPASS invalid username-password pair/);
    expect(JSON.stringify(result)).not.toContain('not-the-password-123');
  });

  it('no password: the server\'s NOAUTH, with what to do', async () => {
    const result = await run(undefined, () => port);
    expect(result.message).toMatch(/NOAUTH Authentication required\..*the server requires a password/);
  });

  it('nothing listening: a refused connection, so the root cause is the service', async () => {
    const result = await run(PASSWORD, () => down);
    expect(result.status).toBe('failed');
    expect(result.message).toMatch(/connection refused/);
    expect(result.rootCause).toMatchObject({ service: 'cache', code: 'connection-refused' });
  });
});
