/**
 * A browser step: Debian's chromium driven by playwright-core (never a downloaded browser) walks the
 * frontend like a person — open the login page, fill the form, submit, see the dashboard list records.
 * One browser per run (launched on the first browser check), one fresh context (cookies) per check.
 */
import { existsSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import type { BrowserLike, RunContext } from '../context.js';
import type { BrowserCheckSpec, BrowserStep, SuiteCheck } from '../model.js';
import { excerpt, round1, type CheckExecutor, type Outcome } from './outcome.js';
import { DEFAULT_BROWSER_TIMEOUT_MS } from '../model.js';
import { needsService, type CheckParser } from './parse-context.js';

export const CHROMIUM_FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export function chromiumPath(env: Readonly<Record<string, string | undefined>>): string {
  return env.STACKCTL_CHROMIUM ?? '/usr/bin/chromium';
}

export async function launchChromium(env: Readonly<Record<string, string | undefined>>): Promise<BrowserLike> {
  const executablePath = chromiumPath(env);
  if (!existsSync(executablePath)) {
    throw new Error(`no chromium at ${executablePath}: run \`bash scripts/ensure-chromium.sh\` (or set STACKCTL_CHROMIUM)`);
  }
  const { chromium } = await import('playwright-core');
  return chromium.launch({ executablePath, args: CHROMIUM_FLAGS, headless: true });
}

function describeStep(step: BrowserStep): string {
  if ('goto' in step) return `goto ${step.goto}`;
  if ('fill' in step) return `fill ${Object.keys(step.fill).join(', ')}`;
  if ('click' in step) return `click ${step.click}`;
  if ('press' in step) return `press ${step.press.key} in ${step.press.selector}`;
  if ('wait_for' in step) return `wait for ${step.wait_for}`;
  if ('expect_url' in step) return `expect URL /${step.expect_url}/`;
  if ('expect_text' in step) return `expect text /${step.expect_text.text}/ in ${step.expect_text.selector}`;
  return `expect ${step.expect_count.min}${step.expect_count.max !== undefined ? `–${step.expect_count.max}` : '+'} × ${step.expect_count.selector}`;
}

async function runStep(page: Page, step: BrowserStep, ctx: RunContext, baseUrl: string, timeout: number): Promise<void> {
  if ('goto' in step) {
    const url = new URL(ctx.render(step.goto), baseUrl).toString();
    const response = await page.goto(url, { timeout, waitUntil: 'load' });
    if (response && response.status() >= 400) throw new Error(`${url} answered ${response.status()}`);
    return;
  }
  if ('fill' in step) {
    for (const [selector, value] of Object.entries(step.fill)) await page.fill(selector, ctx.render(value), { timeout });
    return;
  }
  if ('click' in step) {
    await page.click(step.click, { timeout });
    await page.waitForLoadState('load', { timeout });
    return;
  }
  if ('press' in step) {
    await page.press(step.press.selector, step.press.key, { timeout });
    await page.waitForLoadState('load', { timeout });
    return;
  }
  if ('wait_for' in step) {
    await page.waitForSelector(step.wait_for, { timeout });
    return;
  }
  if ('expect_url' in step) {
    const pattern = new RegExp(ctx.render(step.expect_url));
    try {
      await page.waitForURL(pattern, { timeout });
    } catch {
      throw new Error(`the page is at ${page.url()}, which does not match ${String(pattern)}`);
    }
    return;
  }
  if ('expect_text' in step) {
    const pattern = new RegExp(ctx.render(step.expect_text.text));
    await page.waitForSelector(step.expect_text.selector, { timeout });
    const text = (await page.textContent(step.expect_text.selector, { timeout })) ?? '';
    if (!pattern.test(text)) throw new Error(`${step.expect_text.selector} says "${excerpt(text, 80)}", which does not match ${String(pattern)}`);
    return;
  }
  const { selector, min, max } = step.expect_count;
  if (min > 0) await page.waitForSelector(selector, { timeout });
  const count = await page.locator(selector).count();
  if (count < min || (max !== undefined && count > max)) {
    throw new Error(`found ${count} × ${selector}, expected ${max === undefined ? `at least ${min}` : `${min}–${max}`}`);
  }
}

export const browserCheck: CheckExecutor<BrowserCheckSpec> = {
  async run(check: SuiteCheck & { spec: BrowserCheckSpec }, ctx: RunContext, signal: AbortSignal): Promise<Outcome> {
    const baseUrl = ctx.render(check.spec.baseUrl);
    const started = performance.now();
    let browser: Browser;
    try {
      browser = (await ctx.getBrowser()) as unknown as Browser;
    } catch (error) {
      return { status: 'failed', message: `cannot start the browser: ${excerpt((error as Error).message, 300)}` };
    }
    const context = await browser.newContext({ baseURL: baseUrl });
    const onAbort = (): void => void context.close().catch(() => undefined);
    signal.addEventListener('abort', onAbort, { once: true });
    const deadline = started + check.timeoutMs;
    try {
      const page = await context.newPage();
      for (const [index, { step }] of check.spec.steps.entries()) {
        const remaining = Math.max(1, Math.round(deadline - performance.now()));
        try {
          await runStep(page, step, ctx, baseUrl, remaining);
        } catch (error) {
          const text = (error as Error).message.split('\n')[0] ?? String(error);
          return {
            status: 'failed',
            message: `step ${index + 1} (${describeStep(step)}) failed at ${page.url()}: ${excerpt(text, 240)}`,
            request: { method: 'BROWSER', url: baseUrl },
          };
        }
      }
      return { status: 'passed', request: { method: 'BROWSER', url: baseUrl }, measurements: { steps: check.spec.steps.length, durationMs: round1(performance.now() - started) } };
    } finally {
      signal.removeEventListener('abort', onAbort);
      await context.close().catch(() => undefined);
    }
  },
};

/** `browser: { url?, steps }` — default start URL: the service's. */
export const browserParser: CheckParser = {
  defaultTimeoutMs: DEFAULT_BROWSER_TIMEOUT_MS,
  keepsDefaultAsFloor: true,
  parse(ctx) {
    const b = ctx.raw.browser;
    if (!b) return {};
    let baseUrl = b.url;
    if (baseUrl === undefined) {
      const service = needsService(ctx, 'start URL');
      if (service !== undefined) baseUrl = `\${services.${service}.url}`;
    }
    if (baseUrl === undefined) return {};
    return {
      spec: {
        kind: 'browser',
        baseUrl,
        steps: b.steps.map((step, si) => ({ step: step as BrowserStep, location: ctx.source.locate([...ctx.base, 'browser', 'steps', si]) })),
      },
    };
  },
};
