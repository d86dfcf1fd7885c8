/**
 * Issue 11, classes 8 and 9, on the `merge-*` projects of test/fixtures/compose-real/: several files
 * merged as docker compose merges them (-f, COMPOSE_FILE, the override file, include, extends,
 * profiles) and env files with compose's rules — each finding asserted by code, service, FILE and line.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadStack, type LoadOptions } from '../../../src/load/load.js';
import type { Service } from '../../../src/config/model.js';
import { validateStack } from '../../../src/validate/validate.js';
import { runCli } from '../../support/cli.js';

const REAL = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../fixtures/compose-real');
const at = (project: string, ...files: string[]): string[] => files.map((file) => path.join(REAL, project, file));

async function findings(files: string[], options: LoadOptions = {}): Promise<{ all: string[]; services: Service[] }> {
  const loaded = await loadStack(files, { env: {}, ...options });
  const rules = loaded.stack ? await validateStack(loaded.stack, { checkHostPorts: false }) : [];
  const all = [...loaded.diagnostics, ...rules].map((d) => `${d.code} ${d.service ?? '-'} ${path.relative(REAL, d.location.file)}:${d.location.line}`);
  return { all: all.sort(), services: loaded.stack?.services ?? [] };
}
const service = (services: Service[], name: string): Service => services.find((s) => s.name === name) ?? expect.fail(`no service ${name}`);

describe('several compose files, merged by the compose spec', () => {
  it('-f base -f override: mappings merge, ports append, the later value wins, findings name the file that wrote them', async () => {
    const { all, services } = await findings(at('merge-override', 'compose.yaml', 'compose.override.yaml'));
    expect(services.map((s) => s.name)).toEqual(['db', 'api', 'worker']);
    const api = service(services, 'api');
    expect(api.environment).toMatchObject({ LOG_LEVEL: 'debug', DEBUG: '1', DATABASE_URL: 'postgres://app:dev-only@db:5432/app' });
    expect(api.ports.map((p) => `${p.published}:${p.target} ${path.basename(p.location.file)}:${p.location.line}`)).toEqual(['8000:8000 compose.yaml:20', '9229:9229 compose.override.yaml:8']);
    expect(api.environmentLocations.LOG_LEVEL).toMatchObject({ file: path.join(REAL, 'merge-override/compose.override.yaml'), line: 5 });
    expect(api.environmentLocations.DATABASE_URL).toMatchObject({ file: path.join(REAL, 'merge-override/compose.yaml'), line: 18 });
    expect(all).toEqual(['COMPOSE101 worker merge-override/compose.override.yaml:13', 'COMPOSE103 api merge-override/compose.yaml:18', 'COMPOSE103 db merge-override/compose.yaml:7']);
  });

  it('without -f, the CLI reads compose.yaml and its compose.override.yaml as docker compose does', async () => {
    const run = await runCli(['validate', '--no-port-check', '--json'], { cwd: path.join(REAL, 'merge-override'), env: {} });
    expect(run.exitCode, run.stderr).toBe(0);
    const json = JSON.parse(run.stdout) as { diagnostics?: Array<{ code: string; location: { file: string; line: number } }>; findings?: Array<{ code: string; location: { file: string; line: number } }> };
    const list = json.findings ?? json.diagnostics ?? [];
    expect(list.find((d) => d.code === 'COMPOSE101')?.location).toMatchObject({ line: 13 });
    expect(JSON.stringify(list.find((d) => d.code === 'COMPOSE101'))).toContain('compose.override.yaml');
  });

  it('COMPOSE_FILE with its path separator selects and merges the files; -f twice does the same; one -f reads only that file', async () => {
    const cwd = path.join(REAL, 'merge-compose-file');
    const viaEnv = await runCli(['validate', '--no-port-check'], { cwd, env: { COMPOSE_FILE: 'base.yml:prod.yml' } });
    expect(viaEnv.exitCode).toBe(1);
    expect(viaEnv.stdout).toMatch(/URL001\s+prod\.yml:6:7: SESSION_STORE points at host "sessions"/);
    const separator = await runCli(['validate', '--no-port-check'], { cwd, env: { COMPOSE_FILE: 'base.yml;prod.yml', COMPOSE_PATH_SEPARATOR: ';' } });
    expect(separator.stdout).toContain('prod.yml:6:7');
    const viaFlags = await runCli(['validate', '--no-port-check', '-f', 'base.yml', '-f', 'prod.yml'], { cwd, env: {} });
    expect(viaFlags.stdout).toContain('prod.yml:6:7');
    const { services } = await findings(at('merge-compose-file', 'base.yml', 'prod.yml'));
    expect(service(services, 'web').image).toBe('example/web:2-prod');
    expect(service(services, 'web').ports.map((p) => p.published)).toEqual([8080, 443]);
    const baseOnly = await runCli(['validate', '--no-port-check', '-f', 'base.yml'], { cwd, env: { COMPOSE_FILE: 'base.yml:prod.yml' } });
    expect(baseOnly.exitCode, baseOnly.stdout).toBe(0);
  });

  it('include: the included project resolves ${VAR} from its own .env and paths from its own directory', async () => {
    const { all, services } = await findings(at('merge-include', 'compose.yaml'));
    expect(all).toEqual([]);
    const broker = service(services, 'broker');
    expect(broker.image).toBe('rabbitmq:3.13-management');
    expect(broker.volumes[0]).toMatchObject({ type: 'bind', source: path.join(REAL, 'merge-include/shared/rabbitmq.conf') });
    expect(broker.location).toMatchObject({ file: path.join(REAL, 'merge-include/shared/compose.yaml'), line: 3 });
  });

  it('extends (another file, then the same file): merged values, each located where it is written', async () => {
    const { all, services } = await findings(at('merge-extends', 'compose.yaml'));
    const worker = service(services, 'worker');
    expect(worker.command).toEqual(['celery', 'worker']);
    expect(worker.environment).toEqual({ PYTHONUNBUFFERED: '1', LOG_LEVEL: 'warning' });
    expect(worker.environmentLocations.PYTHONUNBUFFERED).toMatchObject({ file: path.join(REAL, 'merge-extends/common.yml'), line: 5 });
    expect(worker.volumes[0]).toMatchObject({ source: path.join(REAL, 'merge-extends/config'), location: { file: path.join(REAL, 'merge-extends/common.yml'), line: 8 } });
    // `ports: []` does not reset an extended list (compose appends; `!reset []` would): both publish 8000.
    expect(all).toEqual(['PORT001 worker merge-extends/compose.yaml:10']);
  });

  it('profiles: a service of an inactive profile is neither started nor validated; --profile and COMPOSE_PROFILES select', async () => {
    const quiet = await findings(at('merge-profiles', 'compose.yaml'));
    expect(quiet.services.map((s) => s.name)).toEqual(['app', 'db']);
    expect(quiet.all.some((f) => f.includes(' seed ') || f.includes(' adminer '))).toBe(false);
    const debug = await findings(at('merge-profiles', 'compose.yaml'), { profiles: ['debug'] });
    expect(debug.services.map((s) => s.name)).toEqual(['app', 'db', 'adminer']);
    const tools = await findings(at('merge-profiles', 'compose.yaml'), { env: { COMPOSE_PROFILES: 'tools' } });
    expect(tools.services.map((s) => s.name)).toEqual(['app', 'db', 'seed']);
    expect(tools.all.filter((f) => f.includes(' seed '))).not.toEqual([]);
    const cli = await runCli(['validate', '--no-port-check', '--profile', 'debug'], { cwd: path.join(REAL, 'merge-profiles'), env: {} });
    expect(cli.stdout).toContain('3 services');
  });

  it('a started service that needs a service of an inactive profile is COMPOSE008 at its depends_on', async () => {
    const files = at('merge-profiles', 'compose.yaml', 'needs-debug.yml');
    expect((await findings(files)).all.filter((f) => f.startsWith('COMPOSE008'))).toEqual(['COMPOSE008 smoke merge-profiles/needs-debug.yml:6']);
    expect((await findings(files, { profiles: ['debug'] })).all.filter((f) => f.startsWith('COMPOSE008'))).toEqual([]);
  });
});

describe('env files with compose v2 rules', () => {
  it('.env values build on earlier ones, single quotes are literal, double-quoted escapes expand', async () => {
    const { all, services } = await findings(at('merge-env-nested', 'compose.yaml'));
    expect(all.filter((f) => f.startsWith('INTERP'))).toEqual([]);
    const app = service(services, 'app');
    expect(app.environment.DATABASE_URL).toBe('postgres://app@db:5432/app');
    expect(app.environment.SECRET_KEY).toBe('a$(b');
    expect(app.environment.APP_DB).toBe('postgres://app@db:5432/app');
    expect(app.environment.APP_NAME).toBe('literal ${NOT_INTERPOLATED}');
    expect(app.environmentLocations.APP_NAME).toMatchObject({ file: path.join(REAL, 'merge-env-nested/app.env'), line: 2 });
    expect(service(services, 'db').environment.POSTGRES_PASSWORD).toBe('p@ss$(word');
  });
});

describe('compose merge tags', () => {
  it('!reset drops an inherited value (extends and override file), !override replaces a mapping instead of merging it', async () => {
    const { all, services } = await findings(at('merge-reset', 'compose.yaml', 'compose.override.yaml'));
    expect(service(services, 'api').ports).toEqual([]);
    expect(service(services, 'api').environment).toEqual({ LOG_LEVEL: 'debug' });
    expect(service(services, 'worker').ports).toEqual([]);
    expect(service(services, 'worker').environment).toEqual({ LOG_LEVEL: 'info', FEATURE_X: 'on' });
    expect(all.filter((f) => /YAML002|PORT001/.test(f))).toEqual([]);
    // Without the override file, the base's ports stay (worker's !reset still applies to what it extends).
    const base = await findings(at('merge-reset', 'compose.yaml'));
    expect(service(base.services, 'api').ports.map((p) => p.published)).toEqual([8000]);
    expect(service(base.services, 'worker').ports).toEqual([]);
  });
});
