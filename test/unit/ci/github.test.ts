import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { annotationCommand, appendGitHubEnv, appendStepSummary, STEP_SUMMARY_LIMIT, truncateMarkdown } from '../../../src/ci/github.js';
import { codeQualityReport, findingAnnotations } from '../../../src/ci/annotations.js';
import { dotenvLines } from '../../../src/ephemeral/endpoints.js';
import { Redactor } from '../../../src/secrets.js';

const dir = mkdtempSync(path.join(tmpdir(), 'stackctl-gh-unit-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('GitHub workflow commands', () => {
  it('escapes data and properties as the runner expects', () => {
    expect(annotationCommand({ level: 'error', title: 'a, b: c', message: '50% done\nnext', location: { file: 'x,y.yaml', line: 3, col: 0 } })).toBe(
      '::error file=x%2Cy.yaml,line=3,title=a%2C b%3A c::50%25 done%0Anext',
    );
    expect(annotationCommand({ level: 'notice', message: 'plain' })).toBe('::notice::plain');
  });

  it('annotates findings relative to the repository, redacted', () => {
    const [line] = findingAnnotations(
      [{ code: 'ENV001', severity: 'error', service: 'api', location: { file: '/repo/stack.yaml', line: 4, col: 7 }, message: 'uses s3cr3t-value', hint: 'fix it' }],
      { root: '/repo', redactor: new Redactor(['s3cr3t-value']) },
    );
    expect(line).toBe('::error file=stack.yaml,line=4,col=7,title=ENV001 [api]::uses ***%0Ahint: fix it');
  });

  it('writes a Code Quality issue per finding', () => {
    const report = JSON.parse(
      codeQualityReport([{ code: 'PORT001', severity: 'warning', location: { file: '/repo/a/stack.yaml', line: 0, col: 0 }, message: 'm', hint: 'h' }], {
        root: '/repo',
        redactor: new Redactor(),
      }),
    ) as Array<Record<string, unknown>>;
    expect(report).toEqual([
      expect.objectContaining({ check_name: 'PORT001', severity: 'minor', description: 'PORT001: m — hint: h', location: { path: 'a/stack.yaml', lines: { begin: 1 } } }),
    ]);
  });
});

describe('step summary', () => {
  it('keeps a report that fits and cuts one that does not at a line, saying how much is left out', () => {
    expect(truncateMarkdown('# ok\n', 100)).toBe('# ok\n');
    const big = Array.from({ length: 2000 }, (_, i) => `| row ${i} | ${'x'.repeat(40)} |`).join('\n');
    const cut = truncateMarkdown(big, 10_000, '.stackctl/reports/r/report.md');
    expect(Buffer.byteLength(cut)).toBeLessThanOrEqual(10_000);
    expect(cut).toMatch(/\| row \d+ \| x+ \|\n\n> \*\*Truncated:\*\* \d+ more bytes of this report did not fit GitHub's 1 MiB step summary; the whole report is \.stackctl\/reports\/r\/report\.md\.\n$/);
    const omitted = Number(/(\d+) more bytes/.exec(cut)?.[1]);
    expect(Buffer.byteLength(cut.slice(0, cut.indexOf('\n\n> **Truncated')))).toBe(Buffer.byteLength(big) - omitted);
  });

  it('appends under the 1 MiB a step may write, counting what the file already holds', () => {
    const file = path.join(dir, 'summary.md');
    writeFileSync(file, 'y'.repeat(STEP_SUMMARY_LIMIT - 200_000));
    expect(appendStepSummary({ GITHUB_STEP_SUMMARY: file }, 'z\n'.repeat(300_000))).toBe(true);
    const size = Buffer.byteLength(readFileSync(file));
    expect(size).toBeLessThan(STEP_SUMMARY_LIMIT);
    expect(readFileSync(file, 'utf8')).toContain('**Truncated:**');
    expect(appendStepSummary({}, 'x')).toBe(false);
  });

  it('appends dotenv lines to GITHUB_ENV', () => {
    const file = path.join(dir, 'env');
    writeFileSync(file, 'A=1\n');
    const lines = dotenvLines({ stack: 'shop-abc123', services: [{ service: 'api-gateway', host: '127.0.0.1', ports: { '8000': 49153 }, url: 'http://127.0.0.1:49153' }] });
    expect(appendGitHubEnv({ GITHUB_ENV: file }, lines)).toBe(true);
    expect(readFileSync(file, 'utf8')).toBe(
      'A=1\nSTACKCTL_PROJECT_NAME=shop-abc123\nAPI_GATEWAY_HOST=127.0.0.1\nAPI_GATEWAY_PORT_8000=49153\nAPI_GATEWAY_URL=http://127.0.0.1:49153\n',
    );
  });
});
