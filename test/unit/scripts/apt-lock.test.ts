/**
 * scripts/lib/apt.sh: apt_get waits while another process holds a package manager lock and says so
 * (which lock, which process), then gives up after APT_LOCK_TIMEOUT. Run on a lock file of our own.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { afterAll, describe, expect, it } from 'vitest';

const LIB = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../scripts/lib/apt.sh');
const dir = mkdtempSync(path.join(tmpdir(), 'stackctl-apt-lock-'));
const lock = path.join(dir, 'lock-frontend');
writeFileSync(lock, '');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const script = (body: string): string => `. ${JSON.stringify(LIB)}; APT_LOCKS=(${JSON.stringify(lock)}); ${body}`;

describe('apt_get and the dpkg lock', () => {
  it('names the lock and its holder while waiting, and gives up after APT_LOCK_TIMEOUT', async () => {
    const holder = spawn('flock', ['--close', lock, 'sleep', '30'], { stdio: 'ignore' });
    try {
      await expect.poll(async () => (await execa('bash', ['-c', script('apt_lock_holder')], { reject: false })).exitCode).toBe(0);
      const run = await execa('bash', ['-c', script('apt_get --version')], { env: { APT_LOCK_TIMEOUT: '2' }, reject: false });
      expect(run.exitCode).toBe(1);
      expect(run.stderr).toMatch(new RegExp(`apt: waiting for the package manager lock: ${lock} held by pid \\d+ \\((flock|sleep)\\)`));
      expect(run.stderr).toContain('apt: gave up after 2 s');
    } finally {
      holder.kill();
    }
  });

  it('runs apt-get at once when nobody holds the lock', async () => {
    const run = await execa('bash', ['-c', script('apt_get --version')], { reject: false });
    expect(run.exitCode).toBe(0);
    expect(run.stdout).toMatch(/^apt /);
    expect(run.stderr).toBe('');
  });
});
