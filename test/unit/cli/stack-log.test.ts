import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createStackLog, stackLogFile } from '../../../src/log.js';

let dir: string | undefined;
afterEach(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = undefined;
});

describe('stack log', () => {
  it('writes JSON lines to .stackctl/logs/<stack>.log with every secret redacted, even JSON-escaped', () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'stackctl-log-'));
    const secrets = ['hunter2-redis', 'pa"ss\\word'];
    const log = createStackLog({ stackDir: dir, stack: 'demo', secrets });
    log.logger.info({ url: 'redis://:hunter2-redis@redis:6379/0', body: 'login with pa"ss\\word' }, 'probe failed: WRONGPASS hunter2-redis');
    log.close();
    expect(log.file).toBe(stackLogFile(dir, 'demo'));
    expect(log.file).toBe(path.join(dir, '.stackctl', 'logs', 'demo.log'));
    const text = readFileSync(log.file, 'utf8');
    const line = JSON.parse(text.trim()) as Record<string, unknown>;
    expect(line).toMatchObject({ stack: 'demo', msg: 'probe failed: WRONGPASS ***', url: 'redis://:***@redis:6379/0', body: 'login with ***' });
    for (const secret of secrets) expect(text).not.toContain(secret);
    expect(text).not.toContain(JSON.stringify(secrets[1]).slice(1, -1));
  });
});
