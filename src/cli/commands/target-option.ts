/** `--target local|swarm` of up, down, ps, logs and test (the swarm side: swarm-target.ts, loaded on demand). */
import { InvalidArgumentError, type Command } from 'commander';

export type Target = 'local' | 'swarm';

export function parseTarget(value: string): Target {
  if (value === 'local' || value === 'swarm') return value;
  throw new InvalidArgumentError('expected local or swarm');
}

export function addTargetOption(command: Command): Command {
  return command.option('--target <engine>', 'where the stack runs: local (containers on this engine) or swarm (a Docker Swarm this engine manages)', parseTarget, 'local');
}
