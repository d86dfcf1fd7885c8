/**
 * `stackctl config`: the stack as stackctl will run it — after .env, interpolation, env files,
 * extends and defaults — as YAML or JSON, with every secret value redacted. `--services` lists the
 * service names (what shell completion asks for).
 */
import path from 'node:path';
import type { Command } from 'commander';
import { InvalidArgumentError } from 'commander';
import { stringify } from 'yaml';
import type { Service, Stack } from '../../config/model.js';
import type { CliContext } from '../context.js';
import { stdoutOf } from '../render/output.js';
import { addStackOptions, loadStackFor, redactorFor, type StackOptions } from '../stack-options.js';

interface ConfigOptions extends StackOptions {
  format: 'yaml' | 'json';
  services?: boolean;
}

export function registerConfig(program: Command, ctx: CliContext): void {
  const command = program
    .command('config')
    .description('print the resolved stack (interpolated, merged, defaults applied; secrets redacted)')
    .option('--format <format>', 'yaml or json', (value: string) => {
      if (value !== 'yaml' && value !== 'json') throw new InvalidArgumentError('expected yaml or json');
      return value;
    }, 'yaml')
    .option('--services', 'print only the service names, one per line');
  addStackOptions(command).action(async (options: ConfigOptions) => {
    const stack = await loadStackFor(ctx, options);
    const out = stdoutOf(ctx, redactorFor(stack));
    if (options.services) {
      for (const service of stack.services) out.line(service.name);
      return;
    }
    // Redacted before serialising, so YAML quotes `***` (a plain *** would read as an alias).
    const redactor = redactorFor(stack);
    const document = mapStrings(resolvedDocument(stack), (text) => redactor.redact(text));
    out.write(options.format === 'json' ? `${JSON.stringify(document, null, 2)}\n` : stringify(document, { lineWidth: 0 }));
  });
}

/** The resolved stack as a document: relative paths from the stack's directory, no source positions. */
export function resolvedDocument(stack: Stack): Record<string, unknown> {
  const rel = (p: string): string => path.relative(stack.dir, p) || '.';
  const service = (s: Service): Record<string, unknown> => ({
    ...(s.image ? { image: s.image } : {}),
    ...(s.build
      ? {
          build: {
            context: rel(s.build.context),
            ...(s.build.dockerfile ? { dockerfile: rel(s.build.dockerfile) } : {}),
            ...(s.build.dockerfileInline ? { dockerfile_inline: s.build.dockerfileInline } : {}),
            ...(Object.keys(s.build.args).length > 0 ? { args: s.build.args } : {}),
            ...(s.build.target ? { target: s.build.target } : {}),
          },
        }
      : {}),
    ...(s.entrypoint ? { entrypoint: s.entrypoint } : {}),
    ...(s.command ? { command: s.command } : {}),
    ...(Object.keys(s.environment).length > 0 ? { environment: sortKeys(s.environment) } : {}),
    ...(s.ports.length > 0
      ? { ports: s.ports.map((p) => ({ target: p.target, ...(p.published !== undefined ? { published: p.published } : {}), host_ip: p.hostIp ?? '127.0.0.1', protocol: p.protocol })) }
      : {}),
    ...(s.volumes.length > 0 ? { volumes: s.volumes.map((v) => ({ type: v.type, ...(v.source ? { source: v.type === 'bind' ? rel(v.source) : v.source } : {}), target: v.target, ...(v.readOnly ? { read_only: true } : {}) })) } : {}),
    ...(s.networks.length > 0 ? { networks: s.networks.map((n) => n.name) } : {}),
    ...(s.dependsOn.length > 0 ? { depends_on: Object.fromEntries(s.dependsOn.map((d) => [d.service, { condition: d.condition, ...(d.required ? {} : { required: false }) }])) } : {}),
    ...(s.readiness ? { readiness: { ...s.readiness.probe, timeout_ms: s.readiness.timeoutMs } } : {}),
    start_timeout_ms: s.startTimeoutMs,
    restart: s.restart.name + (s.restart.maxRetries !== undefined ? `:${s.restart.maxRetries}` : ''),
    ...(s.restartDependents ? { restart_dependents: true } : {}),
    ...(s.secrets.length > 0 ? { secrets: s.secrets } : {}),
    ...(s.profiles.length > 0 ? { profiles: s.profiles } : {}),
    ...(s.watch ? { develop: { watch: s.watch.map((w) => ({ path: rel(w.path), action: w.action, ...(w.target ? { target: w.target } : {}), ...(w.ignore.length > 0 ? { ignore: w.ignore } : {}) })) } } : {}),
  });
  return {
    name: stack.name,
    file: path.basename(stack.file),
    format: stack.format,
    services: Object.fromEntries(stack.services.map((s) => [s.name, service(s)])),
    ...(Object.keys(stack.volumes).length > 0 ? { volumes: Object.fromEntries(Object.entries(stack.volumes).map(([name, v]) => [name, v.external ? { external: true } : {}])) } : {}),
    networks: Object.fromEntries(Object.entries(stack.networks).map(([name, n]) => [name, n.external ? { external: true } : {}])),
  };
}

function mapStrings<T>(value: T, map: (text: string) => string): T {
  if (typeof value === 'string') return map(value) as T;
  if (Array.isArray(value)) return value.map((item: unknown) => mapStrings(item, map)) as T;
  if (value !== null && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, mapStrings(item, map)])) as T;
  return value;
}

function sortKeys(record: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(record).sort(([a], [b]) => a.localeCompare(b)));
}
