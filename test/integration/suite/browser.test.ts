/**
 * The browser step with the real Debian chromium (playwright-core, never a downloaded browser)
 * against a local login page: log in, land on the dashboard, see the records.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseYamlSource } from '../../../src/config/yaml-source.js';
import { Redactor } from '../../../src/secrets.js';
import { launchChromium } from '../../../src/suite/checks/browser.js';
import { RunContext } from '../../../src/suite/context.js';
import { parseSuite } from '../../../src/suite/load-suite.js';
import { prepareContext, runChecks } from '../../../src/suite/runner.js';
import { endpointsFromStack } from '../../../src/suite/service-state.js';
import { PASSWORD, makeStack, service, startApp, type TestApp } from '../../unit/suite/helpers.js';

let app: TestApp;
let dir: string;
beforeAll(async () => {
  if (!existsSync('/usr/bin/chromium')) throw new Error('no /usr/bin/chromium: run `bash scripts/ensure-chromium.sh`');
  app = await startApp();
  dir = await mkdtemp(join(tmpdir(), 'stackctl-browser-'));
});
afterAll(async () => {
  await app.close();
  await rm(dir, { recursive: true, force: true });
});

const SUITE = `
version: 1
name: browser
categories:
  - name: Frontend Integration
    checks:
      - name: Auth flow in the browser
        service: frontend
        browser:
          steps:
            - goto: /login
            - expect_text: { selector: h1, text: "Log in" }
            - fill: { "input[name=email]": "me@example.test", "input[name=password]": "\${TEST_PASSWORD}" }
            - click: "button[type=submit]"
            - expect_url: "/dashboard$"
            - expect_count: { selector: "#records tr.record", min: 2, max: 2 }
      - name: Wrong password stays on the login page
        service: frontend
        timeout: 5s
        browser:
          steps:
            - goto: /login
            - fill: { "input[name=email]": "me@example.test", "input[name=password]": "wrong-password" }
            - click: "button[type=submit]"
            - expect_url: "/dashboard$"
      - name: Dashboard needs a login
        service: frontend
        browser:
          steps:
            - goto: /dashboard
            - expect_url: "/login$"
`;

describe('browser step', () => {
  it('logs in through the page with chromium and sees the dashboard list records', async () => {
    const stack = makeStack(dir, [service('frontend', app.port)]);
    const { suite, diagnostics } = parseSuite(parseYamlSource(SUITE, join(dir, 'suite.yaml')), { stack });
    expect(diagnostics).toEqual([]);
    const ctx = new RunContext({
      signal: new AbortController().signal,
      env: { TEST_PASSWORD: PASSWORD },
      runId: 'r',
      random: 'x',
      endpoints: endpointsFromStack(stack),
      redactor: new Redactor(),
      scratchDir: dir,
      launchBrowser: () => launchChromium({}),
    });
    prepareContext(suite!, ctx);
    const results = await runChecks(suite!, ctx);
    expect(results.map((r) => [r.name, r.status])).toEqual([
      ['Auth flow in the browser', 'passed'],
      ['Wrong password stays on the login page', 'failed'],
      ['Dashboard needs a login', 'passed'],
    ]);
    expect(results[0]?.measurements).toMatchObject({ steps: 6 });
    expect(results[1]?.message).toMatch(/^step 4 \(expect URL \/\/dashboard\$\/\) failed at http:\/\/127\.0\.0\.1:\d+\/login: the page is at http:\/\/127\.0\.0\.1:\d+\/login, which does not match \/\\\/dashboard\$\/$/);
  }, 90_000);

  it('fails the check with a hint when chromium is missing', async () => {
    await expect(launchChromium({ STACKCTL_CHROMIUM: '/nonexistent/chromium' })).rejects.toThrow('run `bash scripts/ensure-chromium.sh`');
  });
});
