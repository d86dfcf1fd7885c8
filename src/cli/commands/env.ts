/**
 * `stackctl env`: how to reach each service of the running stack, as dotenv lines (or `--json`):
 * STACKCTL_PROJECT_NAME, <SERVICE>_HOST, <SERVICE>_PORT_<container port>, <SERVICE>_URL — the host
 * ports the engine published, so an ephemeral copy's real ports. Credentials in URLs are *** unless
 * `--show-secrets`. In GitHub Actions (GITHUB_ACTIONS=true) the lines are appended to $GITHUB_ENV too
 * (lines with a hidden credential are left out there; with --show-secrets each secret is first
 * masked with `::add-mask::`).
 *
 * `stackctl port SERVICE PORT`: the host address of one published container port (`127.0.0.1:49153`).
 */
import type { Command } from 'commander';
import { emptyService, type Stack } from '../../config/model.js';
import { UsageError } from '../../errors.js';
import { appendGitHubEnv, isGitHubActions } from '../../ci/github.js';
import { dotenvLines, stackEndpoints, type StackEndpoints } from '../../ephemeral/endpoints.js';
import { ownedContainers } from '../../plan/observed.js';
import type { ContainerInfo } from '../../runtime/runtime.js';
import { REDACTED, Redactor } from '../../secrets.js';
import type { CliContext } from '../context.js';
import { stdoutOf } from '../render/output.js';
import { addStackOptions, createRuntime, loadStackOrName, redactorFor, type StackOptions } from '../stack-options.js';

interface EnvCommandOptions extends StackOptions {
  json?: boolean;
  showSecrets?: boolean;
  githubEnv: boolean;
}

export function registerEnv(program: Command, ctx: CliContext): void {
  const command = program
    .command('env')
    .description("each running service's host, published ports and URL, as dotenv lines (--json); written to $GITHUB_ENV in GitHub Actions")
    .option('--json', 'print a JSON document instead')
    .option('--show-secrets', 'put the credentials into URLs as they are (default ***)')
    .option('--no-github-env', 'do not append to $GITHUB_ENV even in GitHub Actions');
  addStackOptions(command).action(async (options: EnvCommandOptions) => {
    ctx.exitCode = await runEnv(ctx, options);
  });
}

export function registerPort(program: Command, ctx: CliContext): void {
  const port = program
    .command('port')
    .description('the host address a container port of a service is published on (e.g. 127.0.0.1:49153)')
    .argument('<service>', 'service name')
    .argument('<port>', 'container port, optionally /tcp or /udp');
  addStackOptions(port).action(async (service: string, target: string, options: StackOptions) => {
    ctx.exitCode = await runPort(ctx, service, target, options);
  });
}

/** The stack from its file, or — with -p and no file — a stack of the services the labels name. */
async function stackAndContainers(ctx: CliContext, options: StackOptions): Promise<{ stack: Stack; containers: ContainerInfo[] }> {
  const { stack: fromFile, name } = await loadStackOrName(ctx, options);
  const runtime = createRuntime(name, redactorFor(fromFile));
  const containers = ownedContainers(await runtime.listContainers(name));
  if (containers.length === 0) {
    throw new UsageError(`stack ${name} has no containers`, { hint: 'start it first (`stackctl up`), or name the running copy with -p NAME (`stackctl up --ephemeral` prints it)' });
  }
  const stack = fromFile ?? labelsOnlyStack(name, containers);
  return { stack, containers };
}

function labelsOnlyStack(name: string, containers: ContainerInfo[]): Stack {
  const location = { file: '', line: 0, col: 0 };
  const services = [...new Set(containers.map((container) => container.service))].sort();
  return {
    name,
    file: '',
    dir: '',
    format: 'stackctl',
    volumes: {},
    networks: {},
    thresholds: { successRate: 95, avgResponseMs: 500, errorRate: 5 },
    variables: [],
    secretValues: [],
    services: services.map((service) => emptyService(service, location)),
  };
}

async function runEnv(ctx: CliContext, options: EnvCommandOptions): Promise<number> {
  const { stack, containers } = await stackAndContainers(ctx, options);
  const show = options.showSecrets === true;
  const endpoints = stackEndpoints(stack, containers, { showSecrets: show });
  const out = stdoutOf(ctx, show ? new Redactor() : redactorFor(stack));
  if (isGitHubActions(ctx.env) && options.githubEnv) writeGitHubEnv(ctx, stack, endpoints, show);
  if (options.json) out.json(endpoints);
  else for (const line of dotenvLines(endpoints)) out.line(line);
  return 0;
}

/** $GITHUB_ENV gets no line with a hidden credential (*** would only break the URL in a later step). */
export function writeGitHubEnv(ctx: CliContext, stack: Stack, endpoints: StackEndpoints, showSecrets: boolean): void {
  if (showSecrets) {
    // Before the values reach any later step's log: the runner masks them from here on.
    for (const secret of stack.secretValues) if (secret.length >= 3) ctx.stdout.write(`::add-mask::${secret}\n`);
  }
  appendGitHubEnv(
    ctx.env,
    dotenvLines(endpoints).filter((line) => !line.includes(REDACTED)),
  );
}

async function runPort(ctx: CliContext, service: string, target: string, options: StackOptions): Promise<number> {
  const match = /^(\d+)(?:\/(tcp|udp))?$/.exec(target);
  if (!match) throw new UsageError(`port "${target}" is not a container port`, { hint: 'give it as a number, optionally with /tcp or /udp: stackctl port api-gateway 8000' });
  const port = Number(match[1]);
  const protocol = match[2] ?? 'tcp';
  const { stack, containers } = await stackAndContainers(ctx, options);
  const container = containers.find((candidate) => candidate.service === service);
  if (!container) {
    const known = [...new Set(containers.map((candidate) => candidate.service))].sort().join(', ');
    throw new UsageError(`stack ${stack.name} has no running service "${service}"`, { hint: `its services: ${known}` });
  }
  const published = container.ports.filter((candidate) => candidate.target === port && candidate.protocol === protocol && candidate.hostPort > 0);
  if (published.length === 0) {
    const has = container.ports.filter((candidate) => candidate.hostPort > 0).map((candidate) => `${candidate.target}/${candidate.protocol}`);
    throw new UsageError(`${service} publishes no host port for its container port ${port}/${protocol}`, {
      hint: has.length > 0 ? `it publishes ${[...new Set(has)].join(', ')}` : `${service} publishes no port; add it to the service's ports:`,
    });
  }
  const out = stdoutOf(ctx, redactorFor(stack));
  for (const binding of published) out.line(`${binding.hostIp.includes(':') ? `[${binding.hostIp}]` : binding.hostIp}:${binding.hostPort}`);
  return 0;
}
