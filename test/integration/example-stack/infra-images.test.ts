/** The postgres and redis images of the example stack, reached from the host over TCP like a client. */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync, chmodSync } from 'node:fs';
import { Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { docker, imageOf } from './harness.js';
import { eventuallyAnswer } from './variants.js';

const RUN = `stackctl-it-infra-${randomBytes(3).toString('hex')}`;
const LABEL = `com.stackctl.test=${RUN}`;
const volumes: string[] = [];

async function run(name: string, image: string, env: Record<string, string>, extra: string[] = []): Promise<string> {
  const container = `${RUN}-${name}`;
  const args = ['run', '--detach', '--name', container, '--label', LABEL, ...extra];
  for (const variable of Object.keys(env)) args.push('-e', variable);
  await docker([...args, image], { env });
  return container;
}

async function hostPort(container: string, port: number): Promise<number> {
  const { stdout } = await docker(['port', container, `${port}/tcp`]);
  return Number(stdout.split('\n')[0]!.split(':').pop());
}

/** The container's exit status, once it has stopped (`docker wait`). */
async function exitCode(container: string): Promise<number> {
  const { stdout } = await docker(['wait', container]);
  return Number(stdout);
}

async function logs(container: string): Promise<string> {
  const r = await docker(['logs', container], { reject: false });
  return `${r.stdout}\n${r.stderr}`;
}

/** The first answer of a container that is still starting, retried for up to 30 s. */
const until = <T>(attempt: () => Promise<T>): Promise<T> => eventuallyAnswer(attempt, 30_000);

afterAll(async () => {
  const { stdout } = await docker(['ps', '-aq', '--filter', `label=${LABEL}`], { reject: false });
  const ids = stdout.split('\n').filter(Boolean);
  if (ids.length) await docker(['rm', '-f', '-v', ...ids], { reject: false });
  for (const volume of volumes) await docker(['volume', 'rm', '-f', volume], { reject: false });
}, 60_000);

describe('postgres image', () => {
  // Quotes, a space and an @ prove the entrypoint passes the password through without reinterpreting it.
  const password = `p@ss "w0rd" ${randomBytes(4).toString('hex')}`;
  const initDir = mkdtempSync(join(tmpdir(), 'stackctl-initdb-'));
  let container = '';
  let port = 0;
  const connect = (overrides: Partial<pg.ClientConfig> = {}) => {
    const client = new pg.Client({ host: '127.0.0.1', port, user: 'app', password, database: 'appdb', ...overrides });
    return client.connect().then(() => client);
  };
  const query = async (sql: string) => {
    const client = await connect();
    try {
      return (await client.query(sql)).rows;
    } finally {
      await client.end();
    }
  };

  beforeAll(async () => {
    writeFileSync(join(initDir, '01-schema.sql'), 'CREATE TABLE seeded (n integer); INSERT INTO seeded VALUES (42);\n');
    writeFileSync(join(initDir, 'notes.txt'), 'not SQL: must be ignored\n');
    chmodSync(initDir, 0o755);
    const volume = `${RUN}-pgdata`;
    volumes.push(volume);
    container = await run('postgres', imageOf('postgres'), { POSTGRES_USER: 'app', POSTGRES_PASSWORD: password, POSTGRES_DB: 'appdb' }, [
      '-p', '127.0.0.1::5432', '-v', `${volume}:/var/lib/postgresql/data`, '-v', `${initDir}:/docker-entrypoint-initdb.d:ro`,
    ]);
    port = await hostPort(container, 5432);
    await until(() => query('SELECT 1'));
  }, 120_000);

  afterAll(() => rmSync(initDir, { recursive: true, force: true }));

  it('logs "ready to accept connections" once (the bootstrap server\'s log is kept aside)', async () => {
    const text = await logs(container);
    expect(text.match(/database system is ready to accept connections/g)).toHaveLength(1);
    expect(text).toContain('listening on IPv4 address "0.0.0.0", port 5432');
    expect(text).not.toContain(password);
  });

  it('accepts POSTGRES_USER with POSTGRES_PASSWORD over TCP, stored and checked as scram-sha-256', async () => {
    const [who] = await query("SELECT current_user AS u, current_database() AS d, current_setting('password_encryption') AS enc");
    expect(who).toEqual({ u: 'app', d: 'appdb', enc: 'scram-sha-256' });
    const [role] = await query("SELECT rolpassword FROM pg_authid WHERE rolname = 'app'");
    expect(role.rolpassword).toMatch(/^SCRAM-SHA-256\$4096:/);
  });

  it('refuses a wrong password and an unknown user', async () => {
    await expect(connect({ password: 'wrong' })).rejects.toThrow('password authentication failed for user "app"');
    await expect(connect({ user: 'intruder' })).rejects.toThrow('password authentication failed for user "intruder"');
  });

  it('trusts nobody after the bootstrap: even the local socket wants the password', async () => {
    const { stdout } = await docker(['exec', container, 'cat', '/var/lib/postgresql/data/pg_hba.conf']);
    const rules = stdout.split('\n').filter((l) => l.trim() && !l.startsWith('#'));
    expect(rules).toEqual([
      'local   all       all                scram-sha-256',
      'host    all       all   0.0.0.0/0    scram-sha-256',
      'host    all       all   ::/0         scram-sha-256',
    ]);
    const socket = await docker(['exec', container, 'psql', '-U', 'app', '-d', 'appdb', '-w', '-c', 'SELECT 1'], { reject: false });
    expect(socket.exitCode).not.toBe(0);
    expect(socket.stderr).toMatch(/no password supplied|password authentication failed/);
  });

  it('ran /docker-entrypoint-initdb.d/*.sql once: not again after a restart on the same volume', async () => {
    expect(await query('SELECT n FROM seeded')).toEqual([{ n: 42 }]);
    expect(await logs(container)).toContain('ignoring /docker-entrypoint-initdb.d/notes.txt');
    await docker(['restart', container]);
    port = await hostPort(container, 5432);
    await until(() => query('SELECT 1'));
    expect(await query('SELECT n FROM seeded')).toEqual([{ n: 42 }]);
    const text = await logs(container);
    expect(text).toContain('existing cluster in /var/lib/postgresql/data: skipping initialization');
    expect(text.match(/running \/docker-entrypoint-initdb.d\/01-schema.sql/g)).toHaveLength(1);
  });

  it('runs postgres as PID 1 (not root), so docker stop is a fast, clean shutdown', async () => {
    const { stdout: cmdline } = await docker(['exec', container, 'cat', '/proc/1/cmdline']);
    expect(cmdline.replace(/\0/g, ' ').trim()).toBe('postgres');
    const { stdout: uid } = await docker(['exec', container, 'stat', '-c', '%U', '/proc/1']);
    expect(uid).toBe('postgres');
    const started = Date.now();
    await docker(['stop', container]);
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(await exitCode(container)).toBe(0);
    expect(await logs(container)).toContain('database system is shut down');
  });

  it('refuses to start without a password, with a clear message', async () => {
    const empty = await run('postgres-nopass', imageOf('postgres'), { POSTGRES_USER: 'app', POSTGRES_PASSWORD: '' });
    expect(await exitCode(empty)).toBe(1);
    expect((await logs(empty)).trim()).toBe('entrypoint: FATAL: POSTGRES_PASSWORD is empty: refusing to start postgres without a password');
  });
});

/** Minimal RESP client: send commands, read one reply per command, so the server's own words show. */
async function redisExchange(port: number, commands: string[][]): Promise<string[]> {
  const socket = new Socket();
  await new Promise<void>((resolve, reject) => socket.once('error', reject).connect(port, '127.0.0.1', resolve));
  const payload = commands.map((c) => `*${c.length}\r\n${c.map((a) => `$${Buffer.byteLength(a)}\r\n${a}\r\n`).join('')}`).join('');
  socket.write(payload);
  let buffer = '';
  const replies: string[] = [];
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`redis replies so far: ${JSON.stringify(replies)}`)), 5_000);
    // docker-proxy accepts a connection before redis listens, then closes it: fail fast, retry.
    socket.on('close', () => reject(new Error(`connection closed after replies ${JSON.stringify(replies)}`)));
    socket.on('data', (chunk) => {
      buffer += chunk.toString('utf8');
      // Simple replies (+OK, -ERR, :1) and bulk strings ($n\r\nvalue) are all these tests need.
      for (;;) {
        const end = buffer.indexOf('\r\n');
        if (end < 0) break;
        const line = buffer.slice(0, end);
        if (line.startsWith('$') && line !== '$-1') {
          const length = Number(line.slice(1));
          if (buffer.length < end + 2 + length + 2) break;
          replies.push(buffer.slice(end + 2, end + 2 + length));
          buffer = buffer.slice(end + 2 + length + 2);
        } else {
          replies.push(line === '$-1' ? '(nil)' : line);
          buffer = buffer.slice(end + 2);
        }
      }
      if (replies.length >= commands.length) {
        clearTimeout(timer);
        resolve();
      }
    });
  });
  socket.destroy();
  return replies;
}

describe('redis image', () => {
  const password = randomBytes(16).toString('hex');
  let container = '';
  let port = 0;

  beforeAll(async () => {
    const volume = `${RUN}-redisdata`;
    volumes.push(volume);
    container = await run('redis', imageOf('redis'), { REDIS_PASSWORD: password }, ['-p', '127.0.0.1::6379', '-v', `${volume}:/data`]);
    port = await hostPort(container, 6379);
    await until(() => redisExchange(port, [['PING']]));
  }, 60_000);

  it('answers only after AUTH with REDIS_PASSWORD: NOAUTH without it, WRONGPASS with another', async () => {
    expect(await redisExchange(port, [['PING']])).toEqual(['-NOAUTH Authentication required.']);
    expect(await redisExchange(port, [['AUTH', 'not-it'], ['PING']])).toEqual([
      '-WRONGPASS invalid username-password pair or user is disabled.',
      '-NOAUTH Authentication required.',
    ]);
    expect(await redisExchange(port, [['AUTH', password], ['PING']])).toEqual(['+OK', '+PONG']);
  });

  it('keeps data across a restart (appendonly in /data)', async () => {
    expect(await redisExchange(port, [['AUTH', password], ['SET', 'it:key', 'kept']])).toEqual(['+OK', '+OK']);
    const { stdout: files } = await docker(['exec', container, 'ls', '/data/appendonlydir']);
    expect(files).toMatch(/appendonly\.aof\.\d+\.incr\.aof/);
    await docker(['restart', container]);
    port = await hostPort(container, 6379);
    // Accepting connections comes before the dataset is loaded: `-LOADING …` until then, so retry on it.
    const replies = await until(async () => {
      const answer = await redisExchange(port, [['AUTH', password], ['GET', 'it:key']]);
      if (answer.some((reply) => reply.startsWith('-LOADING'))) throw new Error('redis is still loading its dataset');
      return answer;
    });
    expect(replies).toEqual(['+OK', 'kept']);
  });

  it('keeps the password off every command line and in a file only redis can read', async () => {
    const { stdout: cmdline } = await docker(['exec', container, 'cat', '/proc/1/cmdline']);
    // redis-server rewrites its process title ("redis-server 0.0.0.0:6379"); the password was never there.
    expect(cmdline).toMatch(/^redis-server /);
    expect(cmdline).not.toContain(password);
    const { stdout: inspect } = await docker(['inspect', '-f', '{{json .Config.Cmd}} {{json .Args}} {{json .Path}}', container]);
    expect(inspect).not.toContain(password);
    const { stdout: mode } = await docker(['exec', container, 'stat', '-c', '%a %U', '/run/redis-config/redis.conf']);
    expect(mode).toBe('600 redis');
    expect(await logs(container)).not.toContain(password);
  });

  it('refuses to start with an empty or absent REDIS_PASSWORD (exit 1, one clear line)', async () => {
    for (const [label, env] of [['empty', { REDIS_PASSWORD: '' }], ['absent', {}]] as const) {
      const refused = await run(`redis-${label}`, imageOf('redis'), env);
      expect(await exitCode(refused)).toBe(1);
      expect((await logs(refused)).trim()).toBe('REDIS_PASSWORD is empty: refusing to start redis without a password');
    }
  });
});
