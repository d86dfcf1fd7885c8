/**
 * What a check sees while it runs: the template values (environment, suite vars, captures, service
 * endpoints, run id), the cancellation signal, the results so far (for metric checks), the Redactor
 * (a captured secret is registered the moment it is captured) and the shared browser.
 */
import type { CheckResult } from '../report/model.js';
import type { Redactor } from '../secrets.js';
import { renderDeep, renderTemplate, TemplateError, type Lookup } from './template.js';

export interface ServiceEndpoint {
  /** Host the published ports are reached on (127.0.0.1 unless the stack binds another address). */
  host: string;
  /** The service's main host port: its first published TCP port. */
  primaryPort?: number;
  /** Container port → host port. */
  ports: Map<number, number>;
}

export interface BrowserLike {
  newContext(): Promise<{ newPage(): Promise<unknown>; close(): Promise<void> }>;
}

export interface RunContextInit {
  signal: AbortSignal;
  env: Readonly<Record<string, string | undefined>>;
  runId: string;
  random: string;
  endpoints: ReadonlyMap<string, ServiceEndpoint>;
  redactor: Redactor;
  scratchDir: string;
  /** Launches the browser for the first browser check; closed by the runner at the end. */
  launchBrowser: () => Promise<BrowserLike>;
}

export class RunContext {
  readonly signal: AbortSignal;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly runId: string;
  readonly random: string;
  readonly endpoints: ReadonlyMap<string, ServiceEndpoint>;
  readonly redactor: Redactor;
  readonly scratchDir: string;
  readonly vars = new Map<string, string>();
  /** Suite vars that could not be resolved, and why. */
  readonly varErrors = new Map<string, string>();
  readonly captures = new Map<string, string>();
  readonly results: CheckResult[] = [];
  private browser?: Promise<BrowserLike>;
  private readonly launch: () => Promise<BrowserLike>;

  constructor(init: RunContextInit) {
    this.signal = init.signal;
    this.env = init.env;
    this.runId = init.runId;
    this.random = init.random;
    this.endpoints = init.endpoints;
    this.redactor = init.redactor;
    this.scratchDir = init.scratchDir;
    this.launch = init.launchBrowser;
  }

  /** The service listening on a host port (for root causes), if any. */
  serviceForPort(port: number): string | undefined {
    for (const [name, endpoint] of this.endpoints) {
      for (const hostPort of endpoint.ports.values()) if (hostPort === port) return name;
    }
    return undefined;
  }

  lookup(extra: Readonly<Record<string, string>> = {}): Lookup {
    return (name) => {
      if (name in extra) return extra[name];
      const dot = name.indexOf('.');
      if (dot < 0) return this.env[name];
      const ns = name.slice(0, dot);
      const rest = name.slice(dot + 1);
      switch (ns) {
        case 'vars': {
          const problem = this.varErrors.get(rest);
          if (problem !== undefined) throw new TemplateError(`\${vars.${rest}} has no value: ${problem}`, name);
          return this.vars.get(rest);
        }
        case 'captures':
          return this.captures.get(rest);
        case 'run':
          return rest === 'id' ? this.runId : rest === 'random' ? this.random : undefined;
        case 'services':
          return this.serviceValue(rest);
        default:
          return undefined;
      }
    };
  }

  private serviceValue(rest: string): string {
    const [service, attr, port] = rest.split('.');
    const endpoint = service === undefined ? undefined : this.endpoints.get(service);
    if (!endpoint) throw new TemplateError(`\${services.${rest}}: service "${service}" is not part of the stack`, `services.${rest}`);
    if (attr === 'host') return endpoint.host;
    const hostPort = attr === 'ports' ? endpoint.ports.get(Number(port)) : endpoint.primaryPort;
    if (hostPort === undefined) {
      const what = attr === 'ports' ? `no host port for its container port ${port}` : 'no published port';
      throw new TemplateError(
        `${service} has ${what} (is it running? see \`stackctl ps\`)`,
        `services.${rest}`,
      );
    }
    if (attr === 'url') return `http://${endpoint.host.includes(':') ? `[${endpoint.host}]` : endpoint.host}:${hostPort}`;
    return String(hostPort);
  }

  render(text: string, extra?: Readonly<Record<string, string>>): string {
    return renderTemplate(text, this.lookup(extra));
  }

  renderDeep(value: unknown, extra?: Readonly<Record<string, string>>): unknown {
    return renderDeep(value, this.lookup(extra));
  }

  getBrowser(): Promise<BrowserLike> {
    this.browser ??= this.launch();
    return this.browser;
  }

  /** Closes the browser if one was launched. */
  async close(): Promise<void> {
    if (!this.browser) return;
    const browser = await this.browser.catch(() => undefined);
    const closable = browser as unknown as { close?: () => Promise<void> } | undefined;
    await closable?.close?.().catch(() => undefined);
  }
}
