import { execFile } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);

describe('bin/stackctl.js in a checkout that was never built', () => {
  const checkout = mkdtempSync(join(tmpdir(), 'stackctl-unbuilt-'));
  mkdirSync(join(checkout, 'bin'));
  copyFileSync(new URL('../../../bin/stackctl.js', import.meta.url), join(checkout, 'bin', 'stackctl.js'));
  afterAll(() => rmSync(checkout, { recursive: true, force: true }));

  it('says what to run instead of printing a module-not-found stack trace', async () => {
    const failure = await run(process.execPath, [join(checkout, 'bin', 'stackctl.js'), 'validate']).then(
      () => undefined,
      (error: { code: number; stderr: string }) => error,
    );
    expect(failure?.code).toBe(2);
    expect(failure?.stderr).toContain('has not been built yet');
    expect(failure?.stderr).toContain('npm ci && npm run build');
    expect(failure?.stderr).not.toMatch(/ERR_MODULE_NOT_FOUND|\n\s+at /);
  });
});
