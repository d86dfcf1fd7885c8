/**
 * `stackctl plan [-f FILE] [--format text|mermaid|dot|json]`: the start levels and order (and the
 * reverse stop order) of the stack. Unknown dependencies and cycles are printed as findings and
 * exit 1: there is no order to show.
 */
import type { Command } from 'commander';
import { UsageError } from '../../errors.js';
import { graphOfStack, orderGraph } from '../../graph/graph.js';
import { START_ORDER_FORMATS, renderStartOrder, type StartOrderFormat } from '../../graph/render-start-order.js';
import { validateStack } from '../../validate/validate.js';
import { unknownDependency } from '../../validate/rules/unknown-dependency.js';
import { dependencyCycle } from '../../validate/rules/dependency-cycle.js';
import type { CliContext } from '../context.js';
import { addFileOption, formatFinding, loadStackFile, type FileOptions } from '../stack-file.js';

interface StartOrderFlags extends FileOptions {
  format: string;
}

export function registerPlan(program: Command, ctx: CliContext): void {
  addFileOption(program.command('plan').description('print the start order: dependency levels, start and stop order (or a Mermaid/DOT picture)'))
    .option('--format <format>', `output format: ${START_ORDER_FORMATS.join(', ')}`, 'text')
    .addHelpText('after', '\nExit status: 0 printed, 1 the stack does not load or has unknown dependencies / cycles, 2 usage error.')
    .action(async (flags: StartOrderFlags) => {
      if (!START_ORDER_FORMATS.includes(flags.format as StartOrderFormat)) {
        throw new UsageError(`--format must be one of ${START_ORDER_FORMATS.join(', ')}, not "${flags.format}"`);
      }
      const { stack, redactor } = await loadStackFile(ctx, flags.file, { profiles: flags.profile, envFiles: flags.envFile });
      const graph = graphOfStack(stack);
      const problems = await validateStack(stack, { rules: [unknownDependency, dependencyCycle], checkHostPorts: false, graph });
      for (const problem of problems) ctx.stderr.write(`${formatFinding(problem, ctx.cwd, redactor)}\n`);
      const ordering = orderGraph(graph);
      ctx.stdout.write(redactor.redact(renderStartOrder(flags.format as StartOrderFormat, { stack, graph, ordering })));
      ctx.exitCode = problems.some((p) => p.severity === 'error') ? 1 : 0;
    });
}
