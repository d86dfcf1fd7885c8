import type { Command } from 'commander';
import { UsageError } from '../../errors.js';
import type { CliContext } from '../context.js';

// Placeholder until the command lands; replaced by its owner.
export function registerPlan(program: Command, _ctx: CliContext): void {
  program
    .command('plan')
    .description('(not implemented yet)')
    .allowUnknownOption()
    .action(() => {
      throw new UsageError('stackctl plan is not implemented yet');
    });
}
