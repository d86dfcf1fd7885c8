/**
 * `stackctl validate [-f FILE] [--json] [--strict] [--no-port-check] [--list-rules]`: loads the stack and
 * runs every rule. Exit 0 when nothing fails, 1 when there are errors (or warnings with --strict),
 * 2 for usage errors. Load errors are findings like any other (printed the same way, in --json too).
 */
import type { Command } from 'commander';
import { loadStack } from '../../load/load.js';
import path from 'node:path';
import { loadResultRedactor } from '../../config/secret-values.js';
import { UsageError } from '../../errors.js';
import { validateStack, sortFindings } from '../../validate/validate.js';
import { renderHuman, renderJson, type RenderInput } from '../../validate/render.js';
import { ruleListText, ruleTableMarkdown } from '../../validate/rule-table.js';
import type { CliContext } from '../context.js';
import { addFileOption, resolveStackFiles, type FileOptions } from '../stack-file.js';
import { codeQualityReport, findingAnnotations, repositoryRoot } from '../../ci/annotations.js';
import { isGitHubActions } from '../../ci/github.js';

interface ValidateFlags extends FileOptions {
  json?: boolean;
  strict?: boolean;
  portCheck: boolean;
  listRules?: boolean | string;
  verbose?: boolean;
  format?: string;
}

export function registerValidate(program: Command, ctx: CliContext): void {
  const command = addFileOption(
    program
      .command('validate')
      .description('check the stack file and everything it points at (env, credentials, URLs, build contexts, dependencies, ports) before anything starts'),
  )
    .option('--json', 'print the findings as JSON (schemaVersion 1, see docs/validate.md)')
    .option('--strict', 'warnings fail too (exit 1)')
    .option('--no-port-check', 'do not try whether published host ports are free (PORT002)')
    .option('--verbose', 'also print info findings (what the file does fine but stackctl notes)')
    .option('--list-rules [format]', 'print the rule table (text, or "md" for markdown) and exit')
    .option('--format <format>', 'output: human (default), json, or codequality (GitLab Code Quality report)')
    .addHelpText(
      'after',
      '\nExit status: 0 no problems (warnings allowed), 1 errors found (or warnings with --strict), 2 usage error.',
    );
  command.action(async (flags: ValidateFlags) => {
    if (flags.listRules !== undefined) {
      if (flags.listRules !== true && flags.listRules !== 'md' && flags.listRules !== 'text') {
        throw new UsageError(`--list-rules takes "text" or "md", not "${flags.listRules}"`);
      }
      ctx.stdout.write(flags.listRules === 'md' ? ruleTableMarkdown() : ruleListText());
      ctx.exitCode = 0;
      return;
    }
    if (flags.format !== undefined && !['human', 'json', 'codequality'].includes(flags.format)) {
      throw new UsageError(`--format takes human, json or codequality, not "${flags.format}"`);
    }
    const files = resolveStackFiles(ctx, flags.file);
    const file = files[0]!;
    const loaded = await loadStack(files, { env: ctx.env, cwd: ctx.cwd, profiles: flags.profile, envFiles: flags.envFile });
    const redactor = loadResultRedactor(loaded, [...files, ...files.map((f) => path.dirname(f)), ctx.cwd]);
    let diagnostics = loaded.diagnostics;
    if (loaded.stack) {
      const findings = await validateStack(loaded.stack, { checkHostPorts: flags.portCheck });
      diagnostics = sortFindings(loaded.stack, [...loaded.diagnostics, ...findings]);
    }
    const strict = flags.strict ?? false;
    const failed = diagnostics.some((d) => d.severity === 'error' || (strict && d.severity === 'warning'));
    const input: RenderInput = {
      file,
      format: loaded.format,
      diagnostics,
      failed,
      strict,
      redactor,
      cwd: ctx.cwd,
      color: Boolean(ctx.stdout.isTTY) && !ctx.env.NO_COLOR,
      verbose: flags.verbose ?? false,
    };
    if (loaded.stack) {
      input.stackName = loaded.stack.name;
      input.serviceCount = loaded.stack.services.length;
    }
    const annotation = { root: repositoryRoot(ctx.env, ctx.cwd), redactor };
    if (flags.format === 'codequality') ctx.stdout.write(codeQualityReport(diagnostics, annotation));
    else ctx.stdout.write(flags.json || flags.format === 'json' ? renderJson(input) : renderHuman(input));
    // In GitHub Actions each finding also shows on its line of the file (not into --json's document).
    if (isGitHubActions(ctx.env) && !flags.json && flags.format !== 'json' && flags.format !== 'codequality') {
      for (const line of findingAnnotations(diagnostics, annotation)) ctx.stdout.write(`${line}\n`);
    }
    ctx.exitCode = failed ? 1 : 0;
  });
}
