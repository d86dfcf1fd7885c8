import { describe, expect, it } from 'vitest';
import { redactEnvironment, secretValuesOf } from '../../../src/diagnose/environment.js';
import { joinCauses, type FindingRef } from '../../../src/diagnose/join.js';
import type { ServiceReport } from '../../../src/diagnose/report.js';
import { buildTimeline, fillFromState, foldRestartLoops, recordedState } from '../../../src/diagnose/timeline.js';
import type { EngineEventRecord } from '../../../src/runtime/runtime.js';

const t0 = Date.parse('2026-12-07T18:00:00.000Z');
function event(ms: number, name: string, action: string, extra: Partial<EngineEventRecord> = {}): EngineEventRecord {
  return { at: new Date(t0 + ms), action, containerId: name, name, labels: { 'com.docker.compose.service': name }, ...extra };
}
const serviceOf = (e: EngineEventRecord) => e.labels['com.docker.compose.service'] ?? e.name;

describe('timeline', () => {
  it('orders events, keeps the ones that tell the story and says what each did', () => {
    const entries = buildTimeline(
      [event(300, 'api', 'die', { exitCode: 1 }), event(0, 'db', 'create', { image: 'pg:16' }), event(100, 'db', 'start'), event(150, 'db', 'exec_start: pg_isready'), event(200, 'db', 'health_status: healthy'), event(250, 'api', 'start'), event(280, 'api', 'kill', { labels: { 'com.docker.compose.service': 'api', signal: '9' } })],
      serviceOf,
    );
    expect(entries.map((e) => `+${e.offsetMs} ${e.service} ${e.action}${e.detail ? ` ${e.detail}` : ''}`)).toEqual([
      '+0 db create pg:16',
      '+100 db start',
      '+200 db healthy',
      '+250 api start',
      '+280 api kill SIGKILL',
      '+300 api die exit 1',
    ]);
  });

  it('folds a restart loop after the second death into one entry at the time of the last', () => {
    const events: EngineEventRecord[] = [event(0, 'db', 'start')];
    for (let i = 0; i < 6; i += 1) events.push(event(10 + i * 100, 'worker', 'start'), event(60 + i * 100, 'worker', 'die', { exitCode: 3 }));
    events.push(event(300, 'db', 'die', { exitCode: 0 }));
    const folded = foldRestartLoops(buildTimeline(events, serviceOf));
    expect(folded.map((e) => `+${e.offsetMs} ${e.service} ${e.action}${e.detail ? ` ${e.detail}` : ''}`)).toEqual([
      '+0 db start',
      '+10 worker start',
      '+60 worker die exit 3',
      '+110 worker start',
      '+160 worker die exit 3',
      '+300 db die exit 0',
      '+560 worker restarting died 4 more times (exit 3), the last at this time',
    ]);
  });
});

describe('timeline when the engine has forgotten events', () => {
  it('fills create/start/oom/die from the containers\' recorded state, only what the events lack', () => {
    const ingest = {
      service: 'ingest', container: 'p_ingest_1', containerId: 'abc123abc123', image: 'debian:bookworm-slim', state: 'exited', exitCode: 137, oomKilled: true,
      createdAt: new Date(t0).toISOString(), startedAt: new Date(t0 + 1000).toISOString(), finishedAt: new Date(t0 + 1500).toISOString(),
      restartCount: 0, restartLoop: false, ports: [], environment: [], lastLogLines: [], failing: true,
    } satisfies ServiceReport;
    const events = [event(1500, 'ingest', 'die', { containerId: 'abc123abc123ffff', exitCode: 137 })];
    const { merged, filled } = fillFromState(events, recordedState([ingest], new Date(t0 - 60_000)), serviceOf);
    expect(filled).toBe(3);
    const entries = buildTimeline(merged, (e) => e.labels['io.stackctl.diagnose.service'] ?? serviceOf(e));
    expect(entries.map((e) => `+${e.offsetMs} ${e.service} ${e.action}${e.detail ? ` ${e.detail}` : ''}`)).toEqual([
      '+0 ingest create debian:bookworm-slim (from container state)',
      '+1000 ingest start (from container state)',
      '+1500 ingest oom (from container state)',
      '+1500 ingest die exit 137',
    ]);
  });
});

describe('joining validate findings with failures', () => {
  const finding = (code: string, service: string, line: number): FindingRef => ({ code, severity: 'error', service, location: `docker-compose.yml:${line}:7`, message: `${code} in ${service}`, hint: `fix ${service}` });
  const noauth = (service: string) => ({ service, cause: { code: 'redis-auth' as const, summary: `redis requires a password and "${service}" sends none (NOAUTH)`, hint: 'h', evidence: 'AuthenticationError: Authentication required.' } });

  it('one root cause for NOAUTH in two clients whose REDIS_URL lacks the password, with both findings', () => {
    const findings = [finding('CRED001', 'a', 10), finding('CRED001', 'b', 20), finding('COMPOSE103', 'a', 11)];
    const { groups, unexplained } = joinCauses([noauth('a'), noauth('b')], findings);
    expect(groups).toHaveLength(1);
    expect(groups[0]).toMatchObject({ code: 'redis-auth', services: ['a', 'b'], fix: 'fix a' });
    expect(groups[0]!.findings.map((f) => f.location)).toEqual(['docker-compose.yml:10:7', 'docker-compose.yml:20:7']);
    expect(unexplained.map((f) => f.code)).toEqual(['COMPOSE103']);
  });

  it('a finding of another service does not explain a failure; unshared causes stay per service', () => {
    const refused = (service: string) => ({ service, cause: { code: 'dependency-refused' as const, summary: 's', hint: 'classifier hint' } });
    const { groups } = joinCauses([refused('x'), refused('y')], [finding('COMPOSE101', 'z', 5)]);
    expect(groups.map((g) => [g.services, g.fix, g.findings.length])).toEqual([
      [['x'], 'classifier hint', 0],
      [['y'], 'classifier hint', 0],
    ]);
  });
});

describe('environment of any container', () => {
  const env = [
    { name: 'REDIS_PASSWORD', value: 'hunter22' },
    { name: 'DATABASE_URL', value: 'postgresql://app:pg-secret-9@db:5432/app' },
    { name: 'LOG_LEVEL', value: 'info' },
    { name: 'PATH', value: '/usr/bin' },
    { name: 'EMPTY_TOKEN', value: '' },
  ];
  it('shows *** for secret-looking names and URL passwords, drops image noise', () => {
    expect(redactEnvironment(env)).toEqual([
      { name: 'REDIS_PASSWORD', value: '***' },
      { name: 'DATABASE_URL', value: 'postgresql://app:***@db:5432/app' },
      { name: 'LOG_LEVEL', value: 'info' },
      { name: 'EMPTY_TOKEN', value: '' },
    ]);
  });
  it('hands the secret values to the redactor so logs lose them too', () => {
    expect(secretValuesOf(env)).toEqual(['hunter22', 'pg-secret-9']);
  });
});
