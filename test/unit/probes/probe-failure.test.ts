/**
 * Probes say why they failed as data (ProbeFailure): the kind, the server's own words and, for a
 * refused login, which refusal — redacted like the message. The diagnosis reads that data instead
 * of re-parsing the message.
 */
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { diagnose } from '../../../src/diagnose/diagnose-service.js';
import { HopelessProbeError } from '../../../src/probes/probe.js';
import { ProbeError, probeFailureOf, type ProbeFailure } from '../../../src/probes/probe-failure.js';
import { RedisProbe } from '../../../src/probes/redis.js';
import { TcpProbe } from '../../../src/probes/tcp.js';
import { fakeTarget } from './fake-target.js';

const PASSWORD = 'hunter2-redis-secret';

/** A RESP server that answers every command with the given reply lines, in turn. */
async function fakeRedis(replies: string[]): Promise<{ server: net.Server; port: number }> {
  const server = net.createServer((socket) => {
    let sent = 0;
    socket.on('data', () => {
      while (sent < replies.length) socket.write(`${replies[sent++]}\r\n`);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, port: (server.address() as net.AddressInfo).port };
}

let wrongPass: { server: net.Server; port: number };
let noAuth: { server: net.Server; port: number };
let closed: number;

beforeAll(async () => {
  wrongPass = await fakeRedis(['-WRONGPASS invalid username-password pair or user is disabled.', '-NOAUTH Authentication required.']);
  noAuth = await fakeRedis(['-NOAUTH Authentication required.']);
  const spare = net.createServer();
  await new Promise<void>((resolve) => spare.listen(0, '127.0.0.1', resolve));
  closed = (spare.address() as net.AddressInfo).port;
  await new Promise<void>((resolve) => spare.close(() => resolve()));
});
afterAll(() => {
  wrongPass.server.close();
  noAuth.server.close();
});

async function failureOf(check: Promise<void>): Promise<ProbeFailure> {
  const error = await check.then(
    () => undefined,
    (thrown: unknown) => thrown,
  );
  expect(error).toBeInstanceOf(Error);
  const failure = probeFailureOf(error);
  expect(failure).toBeDefined();
  return failure!;
}

describe('ProbeFailure from the probes', () => {
  it('redis: a wrong password is auth/wrong-password with redis\'s words, the password nowhere', async () => {
    const probe = new RedisProbe({ kind: 'redis', port: 6379, password: PASSWORD }, { authGraceMs: 60_000 });
    const failure = await failureOf(probe.check(fakeTarget({ 6379: wrongPass.port }), AbortSignal.timeout(5000)));
    expect(failure).toMatchObject({ probe: 'redis', kind: 'auth', auth: 'wrong-password' });
    expect(failure.detail).toMatch(/^WRONGPASS invalid username-password pair/);
    expect(JSON.stringify(failure)).not.toContain(PASSWORD);
  });

  it('redis: no password sent to a server that wants one is auth/password-required; once it persists it is hopeless, still with its data', async () => {
    const probe = new RedisProbe({ kind: 'redis', port: 6379 }, { authGraceMs: 0 });
    const error = await probe.check(fakeTarget({ 6379: noAuth.port }), AbortSignal.timeout(5000)).catch((thrown: unknown) => thrown);
    expect(error).toBeInstanceOf(HopelessProbeError);
    expect(probeFailureOf(error)).toMatchObject({ probe: 'redis', kind: 'auth', auth: 'password-required', detail: 'NOAUTH Authentication required.' });
  });

  it('tcp: nothing listening is kind refused; an unpublished port is not-published', async () => {
    expect(await failureOf(new TcpProbe({ kind: 'tcp', port: 5432 }).check(fakeTarget({ 5432: closed }), AbortSignal.timeout(5000)))).toMatchObject({
      probe: 'tcp',
      kind: 'refused',
    });
    expect(await failureOf(new TcpProbe({ kind: 'tcp', port: 5432 }).check(fakeTarget({}), AbortSignal.timeout(5000)))).toMatchObject({
      probe: 'tcp',
      kind: 'not-published',
    });
  });
});

describe('the diagnosis reads the failure, not its message', () => {
  const failure = (overrides: Partial<ProbeFailure>): ProbeFailure => ({ probe: 'redis', kind: 'auth', message: 'redis 127.0.0.1:1: refused', detail: '', ...overrides });

  it('a refused login is its cause from the data alone (no words a pattern would know)', () => {
    const diagnosis = diagnose({
      service: 'redis',
      probe: { attempts: 3, lastError: 'redis 127.0.0.1:1: refused', lastFailure: failure({ auth: 'password-required' }) },
      error: new ProbeError(failure({ auth: 'password-required' })),
    });
    expect(diagnosis.rootCause.code).toBe('redis-auth');
    expect(diagnosis.rootCause.summary).toMatch(/sends none \(NOAUTH\)/);

    const postgres = diagnose({
      service: 'postgres',
      probe: { attempts: 2, lastFailure: failure({ probe: 'postgres', auth: 'unknown-database', user: 'app', database: 'appdb' }) },
    });
    expect(postgres.rootCause).toMatchObject({ code: 'postgres-auth', summary: 'postgres has no database "appdb"' });
  });

  it('a message that only looks like a refused login is not re-parsed: the data says "connection refused"', () => {
    const diagnosis = diagnose({
      service: 'redis',
      probe: { attempts: 4, lastError: 'WRONGPASS invalid username-password pair', lastFailure: failure({ kind: 'refused', message: 'WRONGPASS invalid username-password pair' }) },
    });
    expect(diagnosis.rootCause.code).toBe('probe-timeout');
  });

  it('the service\'s own words an HTTP probe brings back are classified like its logs', () => {
    const diagnosis = diagnose({
      service: 'api',
      probe: {
        attempts: 5,
        lastFailure: { probe: 'http', kind: 'protocol', message: 'GET /ready answered 503', detail: '{"redis":"NOAUTH Authentication required."}' },
      },
    });
    expect(diagnosis.rootCause.code).toBe('redis-auth');
  });
});
