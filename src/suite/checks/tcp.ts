/** A TCP check: the service accepts a connection on its published port. */
import { connect } from 'node:net';
import type { RunContext } from '../context.js';
import type { SuiteCheck, TcpCheckSpec } from '../model.js';
import { describeError, round1, timeoutSignal, type CheckExecutor, type Outcome } from './outcome.js';
import { DEFAULT_CHECK_TIMEOUT_MS } from '../model.js';
import { parseEndpoint, type CheckParser } from './parse-context.js';

export function tcpConnect(host: string, port: number, signal: AbortSignal): Promise<number> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const socket = connect({ host, port });
    const onAbort = (): void => {
      socket.destroy();
      reject(Object.assign(new Error(`timed out connecting to ${host}:${port}`), { name: 'TimeoutError' }));
    };
    if (signal.aborted) return onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    socket.once('connect', () => {
      signal.removeEventListener('abort', onAbort);
      const latency = round1(performance.now() - started);
      socket.end();
      socket.destroy();
      resolve(latency);
    });
    socket.once('error', (error) => {
      signal.removeEventListener('abort', onAbort);
      socket.destroy();
      reject(error);
    });
  });
}

/** The check's host and port templates rendered; a failed outcome when the port is not a port number. */
export function renderEndpoint(spec: { host: string; port: string }, ctx: RunContext): { host: string; port: number } | { failed: Outcome } {
  const host = ctx.render(spec.host);
  const portText = ctx.render(spec.port);
  const port = Number(portText);
  if (!Number.isInteger(port) || port <= 0 || port >= 65536) return { failed: { status: 'failed', message: `"${portText}" is not a port number` } };
  return { host, port };
}

export const tcpCheck: CheckExecutor<TcpCheckSpec> = {
  async run(check: SuiteCheck & { spec: TcpCheckSpec }, ctx: RunContext, signal: AbortSignal): Promise<Outcome> {
    const endpoint = renderEndpoint(check.spec, ctx);
    if ('failed' in endpoint) return endpoint.failed;
    const { host, port } = endpoint;
    const target = { host, port };
    try {
      const latencyMs = await tcpConnect(host, port, timeoutSignal(signal, check.timeoutMs));
      return { status: 'passed', latencyMs, target };
    } catch (error) {
      const { message, transport } = describeError(error);
      return { status: 'failed', message, target, ...(transport ? { transportError: transport } : {}) };
    }
  },
};

/** `tcp: { host?, port? }` (default: the service's published address). */
export const tcpParser: CheckParser = {
  defaultTimeoutMs: DEFAULT_CHECK_TIMEOUT_MS,
  parse(ctx) {
    const ep = parseEndpoint(ctx, ctx.raw.tcp ?? {}, 'TCP');
    return ep ? { spec: { kind: 'tcp', ...ep } } : {};
  },
};
