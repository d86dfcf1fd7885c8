/**
 * redis: `AUTH <password>` (when the probe has one) then `PING`, expecting `PONG`, spoken as raw
 * RESP over one socket — no client library state, exact server replies. Redis's own words are
 * reported (`WRONGPASS invalid username-password pair…`, `NOAUTH Authentication required.`); the
 * password never is. An authentication refusal that persists is final after the auth grace period.
 *
 * redisAuthPing is the exchange itself, without the grace period: the suite's redis check speaks it
 * too, so stackctl has one redis client (no `redis` package).
 */
import net from 'node:net';
import type { ProbeSpec } from '../config/model.js';
import type { Probe, ProbeTarget } from './probe.js';
import { ProbeError, probeFailureOf, type AuthRefusal } from './probe-failure.js';
import {
  AuthFailureTracker,
  DEFAULT_AUTH_GRACE_MS,
  abortedError,
  hostPortLabel,
  netFailure,
  probeRedactor,
  requireHostPort,
  type ProbeOptions,
  type TextRedactor,
} from './support.js';

/** The model's redis probe (config/model.ts ProbeSpec). */
export type RedisProbeSpec = Extract<ProbeSpec, { kind: 'redis' }>;

function command(...args: string[]): string {
  return `*${args.length}\r\n${args.map((arg) => `$${Buffer.byteLength(arg)}\r\n${arg}\r\n`).join('')}`;
}

/** Replies that mean "your credentials are wrong or missing", not "not ready yet" — and which refusal each is. */
function authRefusal(reply: string): AuthRefusal | undefined {
  if (/^(WRONGPASS|ERR invalid password)/.test(reply)) return 'wrong-password';
  if (/^NOAUTH/.test(reply)) return 'password-required';
  if (/^(ERR AUTH .*without any password configured|ERR Client sent AUTH, but no password is set)/.test(reply)) return 'no-password-configured';
  return undefined;
}

export class RedisProbe implements Probe {
  private readonly redactor: TextRedactor;
  private readonly auth: AuthFailureTracker;

  constructor(
    private readonly spec: RedisProbeSpec,
    options: ProbeOptions = {},
  ) {
    this.redactor = probeRedactor(options, [spec.password]);
    this.auth = new AuthFailureTracker(options.authGraceMs ?? DEFAULT_AUTH_GRACE_MS);
  }

  describe(target: ProbeTarget): string {
    const steps = this.spec.password ? 'AUTH+PING' : 'PING';
    return `redis ${steps} on ${hostPortLabel(target, this.spec.port)}`;
  }

  async check(target: ProbeTarget, signal: AbortSignal): Promise<void> {
    const port = requireHostPort(target, this.spec.port, 'redis');
    try {
      await redisAuthPing({ host: target.host, port, ...(this.spec.password !== undefined ? { password: this.spec.password } : {}) }, signal, this.redactor);
    } catch (error) {
      const failure = probeFailureOf(error);
      if (failure?.kind === 'auth') throw this.auth.fail(failure);
      if (failure?.kind === 'protocol') this.auth.reset();
      throw error;
    }
    this.auth.reset();
  }
}

export interface RedisAddress {
  host: string;
  port: number;
  password?: string;
}

/**
 * `AUTH` (with a password) then `PING` → `PONG` on one socket. Throws a ProbeError saying why not:
 * `auth` (WRONGPASS, NOAUTH, …, with which refusal), `protocol` (another answer), or the socket's
 * `refused` / `timeout` / `unreachable` / `cancelled` (when `signal` aborts). Messages and details
 * pass through `redactor`.
 */
export async function redisAuthPing(address: RedisAddress, signal: AbortSignal, redactor: TextRedactor): Promise<void> {
  const where = `redis ${address.host}:${address.port}`;
  const replies = await exchange(address, where, signal, redactor);
  const [first, second] = replies;
  const pingReply = address.password ? second : first;
  if (address.password && first !== undefined && !first.startsWith('+')) {
    throw refusal(`${where}: AUTH refused: ${first.slice(1)}`, first.slice(1), redactor);
  }
  if (pingReply === '+PONG') return;
  const reply = (pingReply ?? '').slice(1);
  const hint = reply.startsWith('NOAUTH') && !address.password ? ' (the server requires a password; the probe sends none)' : '';
  throw refusal(`${where}: PING answered ${JSON.stringify(reply)} instead of PONG${hint}`, reply, redactor);
}

function refusal(message: string, reply: string, redactor: TextRedactor): ProbeError {
  const redacted = redactor.redact(message);
  const detail = redactor.redact(reply);
  const auth = authRefusal(reply);
  if (auth) return new ProbeError({ probe: 'redis', kind: 'auth', auth, message: redacted, detail });
  return new ProbeError({ probe: 'redis', kind: 'protocol', message: redacted, detail });
}

/** Sends AUTH (if any) + PING, returns the raw reply lines (`+OK`, `-WRONGPASS …`, `+PONG`). */
function exchange({ host, port, password }: RedisAddress, where: string, signal: AbortSignal, redactor: TextRedactor): Promise<string[]> {
  if (signal.aborted) return Promise.reject(abortedError(signal, where, 'redis'));
  const expected = password ? 2 : 1;
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host, port });
    let buffer = '';
    const replies: string[] = [];
    const finish = (error?: Error): void => {
      signal.removeEventListener('abort', onAbort);
      socket.removeAllListeners();
      socket.on('error', () => undefined);
      socket.destroy();
      if (error) reject(error);
      else resolve(replies);
    };
    const onAbort = (): void => finish(abortedError(signal, where, 'redis'));
    signal.addEventListener('abort', onAbort, { once: true });
    socket.once('connect', () => {
      const auth = password ? command('AUTH', password) : '';
      socket.write(auth + command('PING'));
    });
    socket.on('data', (chunk: Buffer) => {
      buffer += chunk.toString('utf8');
      let index: number;
      while ((index = buffer.indexOf('\r\n')) >= 0) {
        replies.push(buffer.slice(0, index));
        buffer = buffer.slice(index + 2);
      }
      if (replies.length >= expected) finish();
    });
    const closed = (): void => {
      if (replies.length > 0) finish();
      else finish(new ProbeError({ probe: 'redis', kind: 'refused', message: `${where}: connection closed before a reply (nothing listening yet?)`, detail: '' }));
    };
    socket.once('end', closed);
    socket.once('close', closed);
    socket.once('error', (error) => finish(netFailure('redis', where, error, redactor)));
  });
}
