/**
 * Extra containers beside a harness Stack: the same image with a different environment (a wrong
 * password, a missing variable), on the stack's network and labelled with its id, so
 * `stack.remove()` removes them too.
 *
 *   const wrong = await runVariant(stack, 'platform-services', 'wrong-redis', { ...env, REDIS_URL: '…' });
 *   const res = await wrong.get('/ready');
 */
import { randomBytes } from 'node:crypto';
import { docker, imageOf, type ServiceName, type Stack } from './harness.js';

export interface Variant {
  name: string;
  url: string;
  get(path: string, headers?: Record<string, string>): Promise<{ status: number; json: any; text: string }>;
  request(method: string, path: string, init?: { headers?: Record<string, string>; json?: unknown }): Promise<{ status: number; json: any; text: string }>;
  logs(): Promise<string>;
  /** Resolves with the exit code once the container has stopped (rejects after timeoutMs). */
  exitCode(timeoutMs?: number): Promise<number>;
}

export async function runVariant(
  stack: Stack,
  service: ServiceName,
  label: string,
  env: Record<string, string>,
  containerPort?: number,
): Promise<Variant> {
  const name = `${stack.id}-${label}-${randomBytes(2).toString('hex')}`;
  const args = ['run', '--detach', '--name', name, '--network', stack.network, '--label', `com.stackctl.test=${stack.id}`];
  // `-e NAME` without a value: docker takes it from its own environment, so no secret is on argv.
  for (const variable of Object.keys(env)) args.push('-e', variable);
  if (containerPort) args.push('-p', `127.0.0.1::${containerPort}`);
  args.push(imageOf(service));
  await docker(args, { env });

  let url = '';
  if (containerPort) {
    const { stdout } = await docker(['port', name, `${containerPort}/tcp`]);
    url = `http://127.0.0.1:${stdout.split('\n')[0]!.split(':').pop()}`;
  }

  const request: Variant['request'] = async (method, path, init = {}) => {
    const headers = { ...(init.headers ?? {}) };
    let body: string | undefined;
    if (init.json !== undefined) {
      body = JSON.stringify(init.json);
      headers['Content-Type'] = 'application/json';
    }
    const res = await fetch(url + path, { method, headers, body, signal: AbortSignal.timeout(15_000) });
    const text = await res.text();
    let json: any;
    try {
      json = JSON.parse(text);
    } catch {
      json = undefined;
    }
    return { status: res.status, json, text };
  };

  return {
    name,
    url,
    request,
    get: (path, headers) => request('GET', path, { headers }),
    async logs() {
      const r = await docker(['logs', name], { reject: false });
      return `${r.stdout}\n${r.stderr}`;
    },
    async exitCode(timeoutMs = 20_000) {
      const deadline = Date.now() + timeoutMs;
      while (Date.now() < deadline) {
        const { stdout } = await docker(['inspect', '-f', '{{.State.Running}} {{.State.ExitCode}}', name]);
        const [running, code] = stdout.split(' ');
        if (running === 'false') return Number(code);
        await new Promise((r) => setTimeout(r, 200));
      }
      throw new Error(`${name} still running after ${timeoutMs} ms`);
    },
  };
}

export function pick(env: Record<string, string>, names: string[]): Record<string, string> {
  return Object.fromEntries(names.map((n) => [n, env[n]!]));
}

/** The first answer of a freshly started container (retrying while it is still binding its port). */
export async function eventuallyAnswer<T>(call: () => Promise<T>, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await call();
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((r) => setTimeout(r, 250));
    }
  }
}
