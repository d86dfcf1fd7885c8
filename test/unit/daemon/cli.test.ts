import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { parseListen, resolveToken } from '../../../src/cli/commands/daemon.js';
import { describeEvent } from '../../../src/cli/via-daemon.js';
import { runCli } from '../../support/cli.js';

describe('stackctl daemon: options', () => {
  it('accepts loopback --listen addresses only', () => {
    expect(parseListen('127.0.0.1:7070')).toEqual({ host: '127.0.0.1', port: 7070 });
    expect(parseListen('7070')).toEqual({ host: '127.0.0.1', port: 7070 });
    expect(parseListen('[::1]:0')).toEqual({ host: '::1', port: 0 });
    expect(parseListen('localhost:1')).toEqual({ host: '127.0.0.1', port: 1 });
    expect(() => parseListen('0.0.0.0:7070')).toThrow(/only listens on loopback/);
    expect(() => parseListen('127.0.0.1:70000')).toThrow(/out of range/);
    expect(() => parseListen('127.0.0.1:')).toThrow(/127\.0\.0\.1:PORT/);
  });

  it('refuses a public --listen and --token-file without --listen, as usage errors', async () => {
    const open = await runCli(['daemon', '--listen', '0.0.0.0:7070']);
    expect(open.exitCode).toBe(2);
    expect(open.stderr).toMatch(/only listens on loopback/);
    const token = await runCli(['daemon', '--token-file', 'x']);
    expect(token.exitCode).toBe(2);
    expect(token.stderr).toMatch(/--token-file only makes sense with --listen/);
  });

  it('creates a missing token file with a random token, mode 0600, and refuses a short one', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'stackctl-token-'));
    try {
      const file = path.join(dir, 'sub', 'token');
      const stderr = new PassThrough();
      const token = resolveToken(file, stderr);
      expect(token).toMatch(/^[0-9a-f]{64}$/);
      expect(statSync(file).mode & 0o777).toBe(0o600);
      expect(resolveToken(file, stderr)).toBe(token);
      writeFileSync(file, 'short\n', { mode: 0o600 });
      expect(() => resolveToken(file, stderr)).toThrow(/too short/);
      expect(readFileSync(file, 'utf8')).toBe('short\n');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('describes the events shown while a detached daemon brings the stack up', () => {
    const at = '2025-08-06T10:00:00.123Z';
    expect(describeEvent({ id: 1, at, event: { type: 'engine', at: 0, event: { type: 'service.phase', service: 'redis', phase: 'ready', at: 0, detail: '120 ms' } } })).toBe(
      '10:00:00.123 redis: ready (120 ms)',
    );
    expect(describeEvent({ id: 2, at, event: { type: 'engine', at: 0, event: { type: 'service.phase', service: 'redis', phase: 'waiting', at: 0 } } })).toBeUndefined();
    expect(
      describeEvent({ id: 3, at, event: { type: 'service.state', at: 0, service: 'api', state: 'degraded', previous: 'ready', reason: 'redis is not available', degradedBy: ['redis'] } }),
    ).toBe('10:00:00.123 api: ready → degraded (redis is not available)');
  });
});
