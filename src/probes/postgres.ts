/**
 * postgres: a real login over the published port with the service's user, password and database,
 * then `SELECT 1`. Postgres's own reason is reported as is (`password authentication failed for
 * user "app"`); the password never is. A login refusal that persists (wrong password, unknown role
 * or database) is final after the auth grace period (support.ts).
 */
import type { ProbeSpec } from '../config/model.js';
import type { Probe, ProbeTarget } from './probe.js';
import { ProbeError, type AuthRefusal } from './probe-failure.js';
import {
  AuthFailureTracker,
  DEFAULT_AUTH_GRACE_MS,
  abortedError,
  describeNetError,
  hostPortLabel,
  netFailureKind,
  probeRedactor,
  requireHostPort,
  type ProbeOptions,
  type TextRedactor,
} from './support.js';

/** The model's postgres probe (config/model.ts ProbeSpec). */
export type PostgresProbeSpec = Extract<ProbeSpec, { kind: 'postgres' }>;

/** SQLSTATEs of a refused login: invalid_password, invalid_authorization_specification, invalid_catalog_name. */
const LOGIN_REFUSED: Record<string, AuthRefusal> = { '28P01': 'wrong-password', '28000': 'unknown-user', '3D000': 'unknown-database' };

export class PostgresProbe implements Probe {
  private readonly redactor: TextRedactor;
  private readonly auth: AuthFailureTracker;

  constructor(
    private readonly spec: PostgresProbeSpec,
    options: ProbeOptions = {},
  ) {
    this.redactor = probeRedactor(options, [spec.password]);
    this.auth = new AuthFailureTracker(options.authGraceMs ?? DEFAULT_AUTH_GRACE_MS);
  }

  describe(target: ProbeTarget): string {
    return this.redactor.redact(`postgres login as ${this.spec.user} to ${this.spec.database} on ${hostPortLabel(target, this.spec.port)} + SELECT 1`);
  }

  async check(target: ProbeTarget, signal: AbortSignal): Promise<void> {
    const port = requireHostPort(target, this.spec.port, 'postgres');
    const where = `postgres ${this.spec.user}@${target.host}:${port}/${this.spec.database}`;
    // pg loads on the first postgres probe: a stack without postgres never pays for it.
    const { default: pg } = await import('pg');
    if (signal.aborted) throw abortedError(signal, where, 'postgres');
    const client = new pg.Client({
      host: target.host,
      port,
      user: this.spec.user,
      password: this.spec.password,
      database: this.spec.database,
      application_name: 'stackctl-probe',
      connectionTimeoutMillis: 10_000,
      query_timeout: 10_000,
    });
    client.on('error', () => undefined); // errors after connect surface through the awaited calls
    const onAbort = (): void => {
      void client.end().catch(() => undefined);
    };
    signal.addEventListener('abort', onAbort, { once: true });
    try {
      await client.connect();
      const result = await client.query<{ ok: number }>('SELECT 1 AS ok');
      if (result.rows[0]?.ok !== 1) throw new Error(`${where}: SELECT 1 did not return 1`);
      this.auth.reset();
    } catch (error) {
      if (signal.aborted) throw abortedError(signal, where, 'postgres');
      const code = typeof error === 'object' && error !== null ? (error as { code?: string }).code : undefined;
      const message = this.redactor.redact(`${where}: ${describeNetError(error)}`);
      const net = netFailureKind(error);
      // Not a socket error: the server's own words.
      const detail = error instanceof Error && !net ? this.redactor.redact(error.message) : '';
      const { user, database } = this.spec;
      const auth = code ? LOGIN_REFUSED[code] : undefined;
      if (auth) throw this.auth.fail({ probe: 'postgres', kind: 'auth', auth, message, detail, user, database });
      this.auth.reset();
      throw new ProbeError({ probe: 'postgres', kind: net ?? 'protocol', message, detail, user, database });
    } finally {
      signal.removeEventListener('abort', onAbort);
      await client.end().catch(() => undefined);
    }
  }
}
