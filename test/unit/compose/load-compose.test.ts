/**
 * The compose loader on the corpus in test/fixtures/compose/: each syntax form lands in the stack graph
 * as compose means it, and anything stackctl does not apply is a warning naming its key path.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadStack, type LoadResult } from '../../../src/load/load.js';
import type { Service } from '../../../src/config/model.js';

const CORPUS = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../fixtures/compose');
const load = (name: string, env: Record<string, string> = {}): Promise<LoadResult> => loadStack(path.join(CORPUS, name), { env });
const service = (result: LoadResult, name: string): Service => {
  const found = result.stack?.services.find((s) => s.name === name);
  if (!found) throw new Error(`no service ${name}: ${JSON.stringify(result.diagnostics)}`);
  return found;
};
const codes = (result: LoadResult): string[] => result.diagnostics.map((d) => `${d.code}@${d.location.line}`);

describe('compose loader', () => {
  it('detects compose by content and uses the directory as the project name', async () => {
    const result = await load('01-minimal.yml');
    expect(result.format).toBe('compose');
    expect(result.stack?.name).toBe('compose');
    expect(service(result, 'web').ports).toMatchObject([{ published: 8080, target: 80, protocol: 'tcp' }]);
    expect(service(result, 'web').networks.map((n) => n.name)).toEqual(['default']);
  });

  it('the obsolete version is an info, not an error', async () => {
    const result = await load('02-obsolete-version.yml');
    expect(codes(result)).toEqual(['COMPOSE005@1']);
    expect(service(result, 'app').command).toEqual(['python', '-m', 'http.server', '8000']);
  });

  it('build: string and object forms, args list/map, inline Dockerfile, additional contexts', async () => {
    const result = await load('04-build-object.yml', { APP_VERSION: '1.2.3' });
    expect(result.stack?.name).toBe('builds');
    const api = service(result, 'api').build!;
    expect(api.context).toBe(path.join(CORPUS, 'services'));
    expect(api.dockerfile).toBe(path.join(CORPUS, 'services/api/Dockerfile'));
    expect(api.args).toEqual({ PYTHON_VERSION: '3.12', APP_VERSION: '1.2.3' });
    expect(api.target).toBe('runtime');
    expect(api.additionalContexts).toEqual({ common: path.resolve(CORPUS, '../common'), base: 'docker-image://debian:bookworm-slim' });
    const worker = service(result, 'worker').build!;
    expect(worker.dockerfileInline).toContain('FROM debian:bookworm-slim');
    expect(worker.args).toEqual({ BUILD_NUMBER: '42' });
    expect(codes(result)).toEqual(['COMPOSE001@14']); // build.cache_from
    expect(result.diagnostics[0]!.message).toContain('services.api.build.cache_from');
    expect((await load('03-build-string.yml')).stack?.services[0]?.build?.context).toBe(path.join(CORPUS, 'api'));
  });

  it('command and entrypoint: shell-split strings and lists', async () => {
    const result = await load('05-command-forms.yml');
    expect(service(result, 'shell-form').command).toEqual(['sh', '-c', 'echo "hello world" && sleep infinity']);
    expect(service(result, 'exec-form').entrypoint).toEqual(['/bin/sh', '-c']);
    expect(service(result, 'numbers').command).toEqual(['sleep', '3600']);
  });

  it('environment: list and map, pass-through, $$ and defaults', async () => {
    const result = await load('06-environment-forms.yml', { HOME: '/home/me' });
    expect(service(result, 'list-form').environment).toEqual({ PLAIN: 'value', WITH_EQUALS: 'a=b=c', EMPTY: '', FROM_VAR: '/home/me' });
    expect(service(result, 'map-form').environment).toEqual({ NUMBER: '42', BOOL: 'true', QUOTED: 'spaces and $dollar', DEFAULTED: 'fallback' });
    expect(service(result, 'list-form').environmentLocations.PASSED_THROUGH?.line).toBe(8);
    expect(result.stack?.variables.some((v) => v.name === 'PASSED_THROUGH' && v.value === undefined)).toBe(true);
  });

  it('env_file: string, list, required: false; environment wins over the file', async () => {
    const result = await load('07-env-file.yml');
    expect(service(result, 'app').environment).toEqual({ APP_MODE: 'production', OVERRIDE: 'from-file', QUOTED: 'a b' });
    expect(service(result, 'app').envFiles).toEqual([path.join(CORPUS, 'env/app.env')]);
    expect(service(result, 'many').environment.OVERRIDE).toBe('from-environment');
    expect(result.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    expect(service(result, 'app').environmentLocations.OVERRIDE).toEqual({ file: path.join(CORPUS, 'env/app.env'), line: 3, col: 1 });
  });

  it('ports: short forms (ranges, IPv6, udp, bare) and long syntax', async () => {
    const result = await load('08-ports.yml');
    const short = service(result, 'short').ports.map((p) => `${p.hostIp ?? ''}|${p.published ?? ''}|${p.target}/${p.protocol}`);
    expect(short).toEqual(['||80/tcp', '|8081|80/tcp', '127.0.0.1|8082|80/tcp', '::1|8083|80/tcp', '|9000|9000/tcp', '|9001|9001/tcp', '|9002|9002/tcp', '|5353|53/udp', '||7000/tcp']);
    expect(service(result, 'long').ports).toMatchObject([{ target: 80, published: 8090, hostIp: '127.0.0.1' }, { target: 443, published: 8443 }]);
    expect(result.diagnostics.map((d) => d.message)).toEqual([
      expect.stringContaining('services.long.ports.0.mode'),
      expect.stringContaining('services.long.ports.1.name'),
      expect.stringContaining('services.long.ports.1.app_protocol'),
    ]);
  });

  it('volumes: named, bind, anonymous, long syntax, tmpfs; external volumes', async () => {
    const result = await load('09-volumes.yml');
    expect(service(result, 'db').volumes.map((v) => `${v.type}:${v.source ?? ''}:${v.target}:${v.readOnly ? 'ro' : 'rw'}`)).toEqual([
      'volume:db-data:/var/lib/postgresql/data:rw',
      `bind:${path.join(CORPUS, 'init')}:/docker-entrypoint-initdb.d:ro`,
      'volume::/var/lib/extra:rw',
      `bind:${path.join(CORPUS, 'conf')}:/etc/app:ro`,
      'volume:logs:/var/log/app:rw',
      'tmpfs::/run/app:rw',
      'tmpfs::/tmp:rw',
    ]);
    expect(result.stack?.volumes.logs?.external).toBe(true);
    expect(codes(result)).toEqual(['COMPOSE001@20', 'COMPOSE001@24']); // volume.nocopy, tmpfs.size
  });

  it('networks: list, map with aliases; top-level networks and ignored options', async () => {
    const result = await load('10-networks.yml');
    expect(service(result, 'proxy').networks.map((n) => n.name)).toEqual(['frontend', 'backend']);
    expect(service(result, 'api').networks).toMatchObject([{ name: 'backend', aliases: ['api.internal', 'app'] }]);
    expect(service(result, 'db').networks).toMatchObject([{ name: 'backend', aliases: [] }]);
    expect(result.stack?.networks.shared?.external).toBe(true);
    expect(result.diagnostics.map((d) => d.message)).toEqual([expect.stringContaining('services.api.networks.backend.ipv4_address'), expect.stringContaining('networks.backend.ipam')]);
  });

  it('depends_on: a plain list means started; the map keeps condition and required', async () => {
    const list = await load('11-depends-on-list.yml');
    expect(service(list, 'web').dependsOn.map((d) => `${d.service}:${d.condition}`)).toEqual(['api:started', 'cache:started']);
    const map = await load('12-depends-on-map.yml');
    expect(service(map, 'app').dependsOn.map((d) => `${d.service}:${d.condition}:${d.required}`)).toEqual(['db:ready:true', 'migrate:completed:true', 'metrics:started:false']);
    expect(service(map, 'db').restartDependents).toBe(true);
    expect(service(map, 'db').readiness).toMatchObject({ probe: { kind: 'postgres', user: 'app', password: 'devpassword', database: 'app' }, timeoutMs: 50_000 });
  });

  it('healthchecks become probes; durations like 1m30s set the deadline', async () => {
    const http = await load('13-healthcheck-http.yml');
    expect(service(http, 'curl-check').readiness).toMatchObject({ probe: { kind: 'http', port: 8000, path: '/health' }, timeoutMs: 90_000 + 3 * 10_000 });
    for (const name of ['curl-shell', 'wget-check', 'python-check', 'httpx-check']) expect(service(http, name).readiness?.probe.kind).toBe('http');
    const db = await load('14-healthcheck-db.yml', { POSTGRES_PASSWORD: 'pw-from-env' });
    expect(service(db, 'postgres').readiness).toMatchObject({ probe: { kind: 'postgres', user: 'app', password: 'pw-from-env', database: 'appdb' }, timeoutMs: 5 * 90_000 });
    expect(service(db, 'redis').readiness?.probe).toEqual({ kind: 'redis', port: 6379, password: 'redispw' });
    expect(service(db, 'redis-env').readiness?.probe).toEqual({ kind: 'redis', port: 6379, password: 'hunter22' });
    expect(service(db, 'nc').readiness?.probe).toEqual({ kind: 'tcp', port: 9000 });
    expect(db.stack?.secretValues).toEqual(expect.arrayContaining(['pw-from-env', 'hunter22']));
  });

  it('disabled, NONE, custom and compound healthchecks; a healthcheck without test is an info (the image HEALTHCHECK applies)', async () => {
    const result = await load('15-healthcheck-other.yml');
    expect(service(result, 'disabled').readiness).toBeUndefined();
    expect(service(result, 'none').readiness).toBeUndefined();
    expect(service(result, 'custom').readiness?.probe).toEqual({ kind: 'exec', command: ['/usr/local/bin/check', '--quick'] });
    expect(service(result, 'compound').readiness?.probe.kind).toBe('exec');
    expect(result.diagnostics).toMatchObject([{ code: 'COMPOSE002', severity: 'info', service: 'no-test', location: { line: 21 } }]);
  });

  it('restart policies and profiles: a service of an inactive profile is left out, as compose leaves it out', async () => {
    const summary = (result: LoadResult): string[] | undefined => result.stack?.services.map((s) => `${s.name}:${s.restart.name}:${s.restart.maxRetries ?? ''}:${s.profiles.join('+')}`);
    expect(summary(await load('16-restart-profiles.yml'))).toEqual(['app:unless-stopped::', 'worker:on-failure:5:', 'always:always::']);
    const all = ['app:unless-stopped::', 'worker:on-failure:5:', 'debug:no::debug+tools', 'always:always::'];
    expect(summary(await loadStack(path.join(CORPUS, '16-restart-profiles.yml'), { env: {}, profiles: ['tools'] }))).toEqual(all);
    expect(summary(await load('16-restart-profiles.yml', { COMPOSE_PROFILES: 'debug' }))).toEqual(all);
  });

  it('anchors and merge keys, with findings located where the value is written', async () => {
    const result = await load('17-anchors.yml', { LOG_LEVEL: 'debug' });
    expect(service(result, 'api').environment).toEqual({ LOG_LEVEL: 'debug', TZ: 'UTC', PORT: '8000' });
    expect(service(result, 'worker').environment).toEqual({ LOG_LEVEL: 'debug', TZ: 'UTC' });
    expect(service(result, 'worker').restart.name).toBe('unless-stopped');
    expect(service(result, 'api').readiness?.timeoutMs).toBe(50_000);
    expect(result.stack?.variables.find((v) => v.name === 'LOG_LEVEL')?.location.line).toBe(4);
  });

  it('extends within the file merges maps, appends ports, replaces command', async () => {
    const result = await load('18-extends-same-file.yml');
    expect(service(result, 'web').environment).toEqual({ MODE: 'web', SHARED: 'yes' });
    expect(service(result, 'web').ports.map((p) => p.target)).toEqual([9000, 9001]);
    expect(service(result, 'admin').command).toEqual(['admin']);
    expect(service(result, 'admin').image).toBe('myorg/app:1');
    expect(service(result, 'admin').environment.MODE).toBe('web');
  });

  it('extends from another file resolves its relative paths there', async () => {
    const result = await load('19-extends-other-file.yml');
    const api = service(result, 'api');
    expect(api.build?.context).toBe(path.join(CORPUS, 'common/app'));
    expect(api.volumes[0]).toMatchObject({ type: 'bind', source: path.join(CORPUS, 'common/app'), target: '/srv/app', readOnly: true });
    expect(api.environment).toEqual({ PYTHONUNBUFFERED: '1', SERVICE: 'api' });
    expect(api.readiness?.probe).toMatchObject({ kind: 'http', port: 8000, path: '/health' });
    expect(api.readiness?.location.file).toBe(path.join(CORPUS, 'common/base.yml'));
  });

  it('a missing base service and an extends cycle are errors naming them', async () => {
    const result = await load('27-extends-broken.yml');
    expect(result.stack).toBeUndefined();
    expect(result.diagnostics).toMatchObject([
      { code: 'COMPOSE003', service: 'broken', location: { line: 6 }, message: expect.stringContaining('does-not-exist') },
      { code: 'COMPOSE003', service: 'loop-a', location: { line: 10 }, message: expect.stringContaining('loop-a → loop-b → loop-a') },
    ]);
  });

  it('x- extensions are silent; labels and deploy are warnings', async () => {
    const result = await load('20-x-extensions.yml');
    expect(result.diagnostics.map((d) => d.message)).toEqual([expect.stringContaining('services.app.labels'), expect.stringContaining('services.app.deploy')]);
  });

  it('top-level secrets/configs and unsupported service keys are named; a typo is an error with a suggestion', async () => {
    const secrets = await load('21-top-level-secrets.yml');
    expect(codes(secrets)).toEqual(['COMPOSE001@4', 'COMPOSE001@8', 'COMPOSE001@11']);
    const odd = await load('22-unsupported-keys.yml');
    expect(odd.diagnostics.filter((d) => d.code === 'COMPOSE001')).toHaveLength(10);
    expect(odd.diagnostics.find((d) => d.code === 'COMPOSE002')).toMatchObject({ location: { line: 18 }, hint: expect.stringContaining('environment') });
  });

  it('interpolation in image, ports and URLs, with $$ and :+', async () => {
    const result = await load('24-interpolation.yml', { APP_PORT: '8123', SET_VAR: 'x' });
    const app = service(result, 'app');
    expect(app.image).toBe('docker.io/myorg/app:latest');
    expect(app.ports[0]).toMatchObject({ published: 8123, target: 8000 });
    expect(app.environment).toEqual({ URL: 'http://localhost:8123/', LITERAL_DOLLAR: 'price is $5', ALT: 'set', UNSET_DASH: 'default' });
  });

  it('a null service and a service with neither image nor build are errors, not crashes', async () => {
    const result = await load('26-empty-and-odd.yml');
    expect(result.stack).toBeUndefined();
    expect(result.diagnostics.some((d) => d.service === 'nothing' && d.severity === 'error')).toBe(true);
  });
});
