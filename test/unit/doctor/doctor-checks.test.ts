import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { heldAptLocks } from '../../../src/doctor/apt-lock.js';
import { exitCodeOf, worstStatus } from '../../../src/doctor/check.js';
import { clockCheck, storageCheck, versionCheck } from '../../../src/doctor/engine-checks.js';
import type { EngineInfo } from '../../../src/runtime/runtime.js';

const dir = mkdtempSync(path.join(tmpdir(), 'stackctl-doctor-unit-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const info: EngineInfo = { endpoint: 'unix:///var/run/docker.sock', serverVersion: '20.10.24', apiVersion: '1.41', minApiVersion: '1.12', storageDriver: 'overlay2', rootDir: '/var/lib/docker', memTotalBytes: 8 * 1024 ** 3, memoryLimitSupported: true, swapLimitSupported: true, os: 'Debian', kernel: '6.1', cpus: 2 };

describe('doctor checks', () => {
  it('exit code by the worst line; skipped lines do not count', () => {
    expect(exitCodeOf([{ id: 'a', status: 'ok', detail: '' }, { id: 'b', status: 'skipped', detail: '' }])).toBe(0);
    expect(exitCodeOf([{ id: 'a', status: 'warning', detail: '' }, { id: 'b', status: 'ok', detail: '' }])).toBe(1);
    expect(worstStatus([{ id: 'a', status: 'warning', detail: '' }, { id: 'b', status: 'error', detail: '' }])).toBe('error');
  });

  it('clock skew beyond the round trip: 2 s a warning, 30 s an error', () => {
    const at = (skewMs: number) => clockCheck({ ...info, systemTime: new Date(1_000_000 + skewMs) }, 1_000_000 - 50, 1_000_000 + 50);
    expect(at(500).status).toBe('ok');
    expect(at(-5000)).toMatchObject({ status: 'warning', detail: 'engine clock -5.000 s from this host (±0.050 s)' });
    expect(at(45_000).status).toBe('error');
  });

  it('an old API and the vfs driver are warnings with a fix', () => {
    expect(versionCheck({ ...info, apiVersion: '1.39' }).status).toBe('warning');
    expect(versionCheck(info).status).toBe('ok');
    expect(storageCheck({ ...info, storageDriver: 'vfs' })).toMatchObject({ status: 'warning', fix: expect.stringContaining('overlay2') });
  });

  it('finds a held apt lock in /proc/locks by device and inode, naming the holder', () => {
    const lock = path.join(dir, 'lock-frontend');
    writeFileSync(lock, '');
    const stat = statSync(lock);
    const major = (Math.floor(stat.dev / 256) & 0xfff).toString(16).padStart(2, '0');
    const minor = ((stat.dev & 0xff) | (Math.floor(stat.dev / 4096) & ~0xff)).toString(16).padStart(2, '0');
    const locks = path.join(dir, 'locks');
    writeFileSync(locks, `1: POSIX  ADVISORY  WRITE ${process.ppid} ${major}:${minor}:${stat.ino} 0 EOF\n2: POSIX  ADVISORY  WRITE 999999 ${major}:${minor}:${stat.ino + 1} 0 EOF\n`);
    return heldAptLocks([lock], locks).then((held) => {
      expect(held).toHaveLength(1);
      expect(held[0]).toMatchObject({ file: lock, pid: process.ppid });
    });
  });
});
