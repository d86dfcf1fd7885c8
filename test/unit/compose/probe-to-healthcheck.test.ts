import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { escapeCompose, probeToHealthcheck, type CredentialSource } from '../../../src/compose/probe-to-healthcheck.js';

const fromEnv = (env: Record<string, string>, secrets: string[] = []): CredentialSource => ({
  credential(_field, value, prefer) {
    const names = Object.keys(env).filter((name) => env[name] === value);
    const name = (prefer ? names.find((n) => prefer.test(n)) : undefined) ?? names[0];
    if (name) return { kind: 'container', name };
    return secrets.includes(value) ? undefined : { kind: 'literal' };
  },
});

describe('probe → compose healthcheck', () => {
  it('postgres: a TCP login with the container own credentials, no value in the file', () => {
    const out = probeToHealthcheck({ kind: 'postgres', port: 5432, user: 'app', password: 's3cret', database: 'app' }, fromEnv({ POSTGRES_USER: 'app', POSTGRES_DB: 'app', POSTGRES_PASSWORD: 's3cret' }, ['s3cret']));
    expect(out).toEqual({
      kind: 'test',
      test: ['CMD-SHELL', `PGPASSWORD="$$POSTGRES_PASSWORD" psql -h 127.0.0.1 -p 5432 -U "$$POSTGRES_USER" -d "$$POSTGRES_DB" -tAc 'SELECT 1' >/dev/null`],
    });
  });

  it('redis: REDISCLI_AUTH from the environment; without password a plain ping', () => {
    expect(probeToHealthcheck({ kind: 'redis', port: 6379, password: 'pw' }, fromEnv({ REDIS_PASSWORD: 'pw' }, ['pw']))).toEqual({
      kind: 'test',
      test: ['CMD-SHELL', 'REDISCLI_AUTH="$$REDIS_PASSWORD" redis-cli -h 127.0.0.1 -p 6379 ping | grep -q PONG'],
    });
    expect(probeToHealthcheck({ kind: 'redis', port: 6380 }, fromEnv({}))).toEqual({ kind: 'test', test: ['CMD-SHELL', 'redis-cli -h 127.0.0.1 -p 6380 ping | grep -q PONG'] });
  });

  it('refuses to write a secret that no container variable holds', () => {
    const out = probeToHealthcheck({ kind: 'redis', port: 6379, password: 'only-here' }, fromEnv({}, ['only-here']));
    expect(out.kind).toBe('none');
    expect(JSON.stringify(out)).not.toContain('only-here');
  });

  it('tcp: bash /dev/tcp; exec: the command with $ escaped; log: none', () => {
    expect(probeToHealthcheck({ kind: 'tcp', port: 5432 }, fromEnv({}))).toEqual({ kind: 'test', test: ['CMD', 'bash', '-c', 'exec 3<>/dev/tcp/127.0.0.1/5432'] });
    expect(probeToHealthcheck({ kind: 'exec', command: ['sh', '-c', 'test -n "$X"'] }, fromEnv({}))).toEqual({ kind: 'test', test: ['CMD', 'sh', '-c', 'test -n "$$X"'] });
    expect(probeToHealthcheck({ kind: 'log', pattern: 'ready' }, fromEnv({})).kind).toBe('none');
  });

  it('http: a python script that checks status, body and JSON fields and reads the API key from the environment', () => {
    const out = probeToHealthcheck(
      { kind: 'http', port: 8000, path: '/ready', method: 'GET', headers: { 'X-API-Key': 'k-1' }, status: { min: 200, max: 299 }, body: 'ready', json: { status: 'ready', 'checks.db': 'ok' } },
      fromEnv({ API_KEY: 'k-1' }, ['k-1']),
    );
    expect(out.kind).toBe('test');
    if (out.kind !== 'test') return;
    expect(out.test.slice(0, 3)).toEqual(['CMD', 'python3', '-c']);
    const script = out.test[3]!;
    expect(script).toContain('os.environ.get("API_KEY", "")');
    expect(script).not.toContain('k-1');
    expect(script).toContain('http://127.0.0.1:8000/ready');
    expect(script).toContain('200 <= status <= 299');
  });

  it('the generated python is valid python', () => {
    const out = probeToHealthcheck(
      { kind: 'http', port: 8000, path: '/x', method: 'POST', headers: { A: 'b' }, status: { min: 200, max: 200 }, body: 'o"k', json: { a: 1 } },
      fromEnv({}),
    );
    if (out.kind !== 'test') throw new Error('no test');
    const script = out.test[3]!.replace(/\$\$/g, '$');
    execFileSync('python3', ['-c', `import ast, sys; ast.parse(sys.stdin.read())`], { input: script });
  });

  it('escapeCompose doubles every $', () => {
    expect(escapeCompose('a$b$$c')).toBe('a$$b$$$$c');
  });
});
