/**
 * `stackctl export compose [-f stack.yaml] [-o compose/docker-compose.yml]`: the stack as a compose
 * file whose healthchecks are the readiness probes and whose ready dependencies wait with
 * `condition: service_healthy` (src/compose/export-compose.ts). `-o -` prints it.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Command } from 'commander';
import { UsageError, ValidationError, formatLocation } from '../../errors.js';
import type { CliContext } from '../context.js';
import { loadStack } from '../../load/load.js';
import { readYamlSource } from '../../config/yaml-source.js';
import { parseDuration } from '../../config/normalize.js';
import { loadResultRedactor } from '../../config/secret-values.js';
import type { Redactor } from '../../secrets.js';
import { exportCompose } from '../../compose/export-compose.js';
import { collect } from '../stack-file.js';

interface ExportFlags {
  file?: string[];
  output?: string;
  registry?: string;
  includeSecretValues?: boolean;
  healthcheckInterval?: string;
  check?: boolean;
}

export const DEFAULT_EXPORT_PATH = 'compose/docker-compose.yml';
export const DEFAULT_K8S_DIR = 'k8s';

/** 1-based numbers of the lines that hold a known secret value (whole or a 12+ character fragment). */
function linesHoldingSecrets(text: string, redactor: Redactor): number[] {
  return text.split(/\r\n|\r|\n/).flatMap((line, index) => (!line.trimStart().startsWith('#') && redactor.holdsSecret(line) ? [index + 1] : []));
}

export function registerExport(program: Command, ctx: CliContext): void {
  program
    .command('export')
    .description('export the stack in another format (compose: a docker-compose file with healthchecks; k8s: Kubernetes manifests)')
    .argument('<format>', 'the format to write: compose or k8s')
    .option('-f, --file <file>', 'the stack file (default stack.yaml; repeat it to merge compose files)', collect)
    .option('-o, --output <path>', `where to write it ("-" for stdout; default ${DEFAULT_EXPORT_PATH}, for k8s the directory ${DEFAULT_K8S_DIR})`)
    .option('--healthcheck-interval <duration>', "healthcheck interval (default: compose's own, 30s)")
    .option('--check', 'write nothing; exit 1 when the output file differs from a fresh export')
    .option('--registry <host/prefix>', 'k8s: reference built images as HOST/PREFIX/<service>:<content hash> (push them with stackctl push)')
    .option('--include-secret-values', 'k8s: write the secret values into the Secret (default: its keys only, and how to create it)')
    .action(async (format: string, flags: ExportFlags) => {
      if (format !== 'compose' && format !== 'k8s') throw new UsageError(`unknown export format "${format}"`, { hint: 'the formats are `compose` and `k8s`: stackctl export compose, stackctl export k8s -o DIR' });
      if (format === 'compose' && (flags.registry !== undefined || flags.includeSecretValues)) throw new UsageError('--registry and --include-secret-values are options of `export k8s`');
      if (format === 'k8s' && flags.check) throw new UsageError('--check is an option of `export compose`');
      let intervalMs: number | undefined;
      if (flags.healthcheckInterval !== undefined) {
        const parsed = parseDuration(flags.healthcheckInterval);
        if (!parsed.ok || parsed.value < 1000) throw new UsageError(`--healthcheck-interval: ${parsed.ok ? 'at least 1s' : parsed.error}`);
        intervalMs = parsed.value;
      }
      const files = (flags.file ?? ['stack.yaml']).map((f) => path.resolve(ctx.cwd, f));
      const file = files[0]!;
      const shown = (flags.file ?? ['stack.yaml']).map((f) => `-f ${f}`).join(' ');
      const toStdout = flags.output === '-';
      const output = toStdout ? path.resolve(ctx.cwd, DEFAULT_EXPORT_PATH) : path.resolve(ctx.cwd, flags.output ?? DEFAULT_EXPORT_PATH);
      const loaded = await loadStack(files, { env: ctx.env, cwd: ctx.cwd });
      const redactor = loadResultRedactor(loaded, [...files, ...files.map((f) => path.dirname(f)), ctx.cwd]);
      if (!loaded.stack) {
        for (const d of loaded.diagnostics.filter((d) => d.severity === 'error')) ctx.stderr.write(redactor.redact(`${formatLocation(d.location)}: ${d.message}\n  hint: ${d.hint}\n`));
        throw new ValidationError(`${path.relative(ctx.cwd, file) || file} does not load; nothing exported`, { hint: 'fix the errors above (stackctl validate shows them all)' });
      }
      if (format === 'k8s') {
        const { exportK8sCommand } = await import('./export-k8s.js');
        await exportK8sCommand(ctx, loaded.stack, { ...flags, output: flags.output ?? DEFAULT_K8S_DIR });
        return;
      }
      const raw = await readYamlSource(file, ctx.env);
      const result = exportCompose(loaded.stack, { outputFile: output, raw, ...(intervalMs !== undefined ? { healthcheckIntervalMs: intervalMs } : {}) });
      for (const warning of result.warnings) ctx.stderr.write(redactor.redact(`${formatLocation(warning.location)}: warning: ${warning.message}\n  hint: ${warning.hint}\n`));
      if (result.unexportable.length > 0) {
        throw new ValidationError(`the export would hold part of a secret value at ${result.unexportable.slice(0, 3).join(', ')}${result.unexportable.length > 3 ? ' …' : ''}; nothing exported`, {
          hint: 'write the value through a ${VAR} reference in the stack file, so the export can reference it too',
        });
      }
      if (flags.check) {
        const current = await readFile(output, 'utf8').catch(() => undefined);
        const leaking = current === undefined ? [] : linesHoldingSecrets(current, redactor);
        if (leaking.length > 0) {
          ctx.stderr.write(
            `${path.relative(ctx.cwd, output)} holds a secret value (line${leaking.length === 1 ? '' : 's'} ${leaking.slice(0, 5).join(', ')}${leaking.length > 5 ? ' …' : ''}); ` +
              `regenerate it with: stackctl export compose -f ${flags.file} -o ${flags.output} (it writes \${VAR} references), rotate that secret, and remove it from version control history\n`,
          );
          ctx.exitCode = 1;
          return;
        }
        if (current === result.text) {
          ctx.stdout.write(`${path.relative(ctx.cwd, output)} is current\n`);
          ctx.exitCode = 0;
        } else {
          ctx.stderr.write(`${path.relative(ctx.cwd, output)} is ${current === undefined ? 'missing' : 'out of date'}; regenerate it with: stackctl export compose ${shown} -o ${flags.output ?? DEFAULT_EXPORT_PATH}\n`);
          ctx.exitCode = 1;
        }
        return;
      }
      if (toStdout) {
        ctx.stdout.write(result.text);
      } else {
        await mkdir(path.dirname(output), { recursive: true });
        await writeFile(output, result.text, 'utf8');
        ctx.stdout.write(`wrote ${path.relative(ctx.cwd, output) || output} (${loaded.stack.services.length} services)\n`);
      }
      ctx.exitCode = 0;
    });
}
