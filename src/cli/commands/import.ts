/**
 * `stackctl import docker-compose.yml [override.yml …] [-o stack.yaml] [--force]`: writes an equivalent,
 * readable stack.yaml (src/compose/import-compose.ts); several files are merged as docker compose merges
 * them. Never overwrites a file without --force; `-o -` prints.
 */
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Command } from 'commander';
import { ConfigError, UsageError, ValidationError, formatLocation } from '../../errors.js';
import { loadStack } from '../../load/load.js';
import { loadResultRedactor } from '../../config/secret-values.js';
import { formatFinding } from '../stack-file.js';
import type { CliContext } from '../context.js';
import { readYamlSource } from '../../config/yaml-source.js';
import { importCompose } from '../../compose/import-compose.js';
import { isRecord } from '../../is-record.js';

interface ImportFlags {
  output: string;
  force?: boolean;
}

export function registerImport(program: Command, ctx: CliContext): void {
  program
    .command('import')
    .description('convert a docker-compose file into an equivalent, commented stack.yaml')
    .argument('<compose-files...>', 'the docker-compose file to import (several: merged in order, as with -f)')
    .option('-o, --output <file>', 'where to write the stack file ("-" for stdout)', 'stack.yaml')
    .option('--force', 'overwrite the output file if it exists')
    .addHelpText('after', '\nHealthchecks become readiness probes (curl/wget/python HTTP checks → http, pg_isready → postgres,\nredis-cli ping → redis); a plain depends_on list becomes `condition: started`, as in compose.')
    .action(async (composeFiles: string[], flags: ImportFlags) => {
      const inputs = composeFiles.map((file) => path.resolve(ctx.cwd, file));
      const input = inputs[0]!;
      const toStdout = flags.output === '-';
      const output = toStdout ? path.join(ctx.cwd, 'stack.yaml') : path.resolve(ctx.cwd, flags.output);
      if (!toStdout && existsSync(output) && !flags.force) {
        throw new UsageError(`${path.relative(ctx.cwd, output) || output} already exists`, { hint: 'pass --force to overwrite it, or choose another file with -o' });
      }
      if (!toStdout && inputs.includes(path.resolve(output))) throw new UsageError('the output file is a compose file being imported', { hint: 'choose another file with -o' });
      // What validate rejects is not imported: a stack.yaml written from it would only move the errors.
      const loaded = await loadStack(inputs, { env: ctx.env, cwd: ctx.cwd });
      const redactor = loadResultRedactor(loaded, [...inputs, ...inputs.map((f) => path.dirname(f)), ctx.cwd]);
      const errors = loaded.diagnostics.filter((d) => d.severity === 'error');
      if (errors.length > 0) {
        for (const error of errors) ctx.stderr.write(`${formatFinding(error, ctx.cwd, redactor)}
`);
        const shown = path.relative(ctx.cwd, input) || input;
        throw new ValidationError(`${shown} does not load: ${errors.length} error${errors.length === 1 ? '' : 's'} (above); nothing imported`, {
          hint: `fix them first (\`stackctl validate -f ${shown}\` lists every finding), then import again`,
        });
      }
      const sources = await Promise.all(inputs.map((file) => readYamlSource(file, ctx.env)));
      const source = sources[0]!;
      if (!isRecord(source.value) || !isRecord(source.value.services)) {
        throw new ConfigError('not a compose file: no `services:` mapping', { location: { file: input, line: 1, col: 1 }, hint: 'pass a docker-compose.yml' });
      }
      const result = importCompose(sources, { outputFile: output, env: ctx.env });
      for (const note of result.notes) ctx.stderr.write(redactor.redact(`${formatLocation(note.location)}: note: ${note.message}
`));
      if (toStdout) {
        ctx.stdout.write(result.text);
      } else {
        await mkdir(path.dirname(output), { recursive: true });
        await writeFile(output, result.text, 'utf8');
        const services = result.services;
        ctx.stdout.write(`wrote ${path.relative(ctx.cwd, output) || output} (${services} service${services === 1 ? '' : 's'}); check it with: stackctl validate -f ${path.relative(ctx.cwd, output) || output}\n`);
      }
      ctx.exitCode = 0;
    });
}
