import type { Command } from 'commander';
import { UsageError } from '../../errors.js';
import type { CliContext } from '../context.js';

// Placeholder until the command lands; replaced by its owner.
export function registerUp(program: Command, _ctx: CliContext): void {
  program
    .command('up')
    .description('(not implemented yet)')
    .allowUnknownOption()
    .action(() => {
      throw new UsageError('stackctl up is not implemented yet');
    });
}
