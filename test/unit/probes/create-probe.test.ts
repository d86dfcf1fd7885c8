import { describe, expect, it } from 'vitest';
import type { ProbeSpec } from '../../../src/config/model.js';
import { AllOfProbe } from '../../../src/probes/all-of.js';
import { PROBE_KINDS, createProbe, createProbes } from '../../../src/probes/create-probe.js';
import { ExecProbe } from '../../../src/probes/exec.js';
import { HttpProbe } from '../../../src/probes/http.js';
import { LogProbe } from '../../../src/probes/log.js';
import { PostgresProbe } from '../../../src/probes/postgres.js';
import { RedisProbe } from '../../../src/probes/redis.js';
import { TcpProbe } from '../../../src/probes/tcp.js';
import { Redactor } from '../../../src/secrets.js';
import { fakeTarget } from './fake-target.js';

const specs: ProbeSpec[] = [
  { kind: 'tcp', port: 1 },
  { kind: 'http', port: 2, path: '/', method: 'GET', headers: {}, status: { min: 200, max: 299 } },
  { kind: 'postgres', port: 3, user: 'app', password: 'pg-pass-123', database: 'db' },
  { kind: 'redis', port: 4, password: 'redis-pass-456' },
  { kind: 'exec', command: ['redis-cli', '-a', 'redis-pass-456', 'ping'] },
  { kind: 'log', pattern: 'ready' },
];

describe('createProbe', () => {
  it('builds one probe class per kind', () => {
    expect(PROBE_KINDS).toEqual(['tcp', 'http', 'postgres', 'redis', 'exec', 'log']);
    const classes = specs.map((spec) => createProbe(spec).constructor);
    expect(classes).toEqual([TcpProbe, HttpProbe, PostgresProbe, RedisProbe, ExecProbe, LogProbe]);
  });

  it('never puts a credential in a description', () => {
    const target = fakeTarget({ 1: 10001, 2: 10002, 3: 10003, 4: 10004 });
    const texts = specs.map((spec) => createProbe(spec, { redactor: new Redactor(['redis-pass-456']) }).describe(target));
    expect(texts).toEqual([
      'tcp connect to 127.0.0.1:10001',
      'HTTP GET http://127.0.0.1:10002/ expecting 200-299',
      'postgres login as app to db on 127.0.0.1:10003 + SELECT 1',
      'redis AUTH+PING on 127.0.0.1:10004',
      'exec `redis-cli -a *** ping` in svc',
      'output of svc matching /ready/',
    ]);
  });

  it('combines several specs with all-of, and returns a single one as is', async () => {
    // The exec command carries a credential: the stack's redactor (which knows every secret) hides it.
    const combined = createProbes([specs[5] as ProbeSpec, specs[4] as ProbeSpec], { redactor: new Redactor(['redis-pass-456']) });
    expect(combined).toBeInstanceOf(AllOfProbe);
    expect(createProbes([specs[0] as ProbeSpec])).toBeInstanceOf(TcpProbe);
    const order: string[] = [];
    const target = fakeTarget({}, {
      logs: async () => {
        order.push('logs');
        return 'booting\nready\n';
      },
      exec: async () => {
        order.push('exec');
        return { exitCode: 1, output: 'NOAUTH Authentication required.\n' };
      },
    });
    await expect(combined.check(target, AbortSignal.timeout(1000))).rejects.toThrow(
      '`redis-cli -a *** ping` exited with code 1: NOAUTH Authentication required.',
    );
    expect(order).toEqual(['logs', 'exec']);
  });
});
