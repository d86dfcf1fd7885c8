/**
 * `stackctl completion bash|zsh|fish`: a completion script for the shell, generated from the
 * commands and options stackctl has. Service names are completed by asking the stack file in the
 * current directory at completion time (`stackctl config --services`), so they follow the file.
 *   bash:  source <(stackctl completion bash)        zsh:  source <(stackctl completion zsh)
 *   fish:  stackctl completion fish > ~/.config/fish/completions/stackctl.fish
 */
import { Command, InvalidArgumentError } from 'commander';
import type { CliContext } from '../context.js';

type Shell = 'bash' | 'zsh' | 'fish';

/** Commands whose arguments are service names. */
const SERVICE_COMMANDS = ['up', 'build', 'start', 'stop', 'restart', 'exec', 'run', 'top', 'logs', 'ps'];

export interface CommandSummary {
  name: string;
  description: string;
  options: string[];
}

export function registerCompletion(program: Command, ctx: CliContext, registerAll: (program: Command) => Promise<void>): void {
  program
    .command('completion')
    .argument('<shell>', 'bash, zsh or fish', (value: string) => {
      if (value !== 'bash' && value !== 'zsh' && value !== 'fish') throw new InvalidArgumentError('expected bash, zsh or fish');
      return value;
    })
    .description('print a shell completion script (commands, options, service names)')
    .action(async (shell: Shell) => {
      const all = new Command('stackctl');
      await registerAll(all);
      ctx.stdout.write(completionScript(shell, summarise(all)));
    });
}

export function summarise(program: Command): CommandSummary[] {
  return program.commands.map((command) => ({
    name: command.name(),
    description: command.description().replace(/\s+/g, ' '),
    options: [...command.options.flatMap((option) => [option.short, option.long].filter((flag): flag is string => flag !== undefined)), '--help'],
  }));
}

export function completionScript(shell: Shell, commands: CommandSummary[]): string {
  switch (shell) {
    case 'bash':
      return bash(commands);
    case 'zsh':
      return zsh(commands);
    case 'fish':
      return fish(commands);
  }
}

function bash(commands: CommandSummary[]): string {
  const cases = commands.map((c) => `    ${c.name}) opts="${c.options.join(' ')}" ;;`).join('\n');
  return `# stackctl bash completion: source <(stackctl completion bash)
_stackctl() {
  local cur cmd opts
  cur="\${COMP_WORDS[COMP_CWORD]}"
  cmd="\${COMP_WORDS[1]}"
  if [ "$COMP_CWORD" -eq 1 ]; then
    COMPREPLY=( $(compgen -W "${commands.map((c) => c.name).join(' ')}" -- "$cur") )
    return
  fi
  case "$cmd" in
${cases}
    *) opts="--help" ;;
  esac
  if [[ "$cur" == -* ]]; then
    COMPREPLY=( $(compgen -W "$opts" -- "$cur") )
  elif [[ " ${SERVICE_COMMANDS.join(' ')} " == *" $cmd "* ]]; then
    COMPREPLY=( $(compgen -W "$(stackctl config --services 2>/dev/null)" -- "$cur") )
  fi
}
complete -F _stackctl stackctl
`;
}

function zsh(commands: CommandSummary[]): string {
  const quote = (text: string) => text.replace(/'/g, "'\\''").replace(/:/g, '\\:');
  const list = commands.map((c) => `    '${quote(c.name)}:${quote(c.description)}'`).join('\n');
  const cases = commands.map((c) => `    ${c.name}) opts=(${c.options.map((o) => `'${o}'`).join(' ')}) ;;`).join('\n');
  return `#compdef stackctl
# stackctl zsh completion: source <(stackctl completion zsh)
_stackctl() {
  local -a commands opts
  commands=(
${list}
  )
  if (( CURRENT == 2 )); then
    _describe 'command' commands
    return
  fi
  case "$words[2]" in
${cases}
    *) opts=('--help') ;;
  esac
  if [[ "$PREFIX" == -* ]]; then
    compadd -- $opts
  elif (( \${${'${'}(s: :)${'"'}${SERVICE_COMMANDS.join(' ')}${'"'}}[(Ie)$words[2]] )); then
    compadd -- \${(f)"$(stackctl config --services 2>/dev/null)"}
  fi
}
if [[ "$funcstack[1]" == "_stackctl" ]]; then _stackctl "$@"; else compdef _stackctl stackctl; fi
`;
}

function fish(commands: CommandSummary[]): string {
  const quote = (text: string) => `'${text.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
  const lines = [
    '# stackctl fish completion: stackctl completion fish > ~/.config/fish/completions/stackctl.fish',
    'complete -c stackctl -f',
    ...commands.map((c) => `complete -c stackctl -n __fish_use_subcommand -a ${c.name} -d ${quote(c.description)}`),
    ...commands.flatMap((c) =>
      c.options
        .filter((o) => o.startsWith('--'))
        .map((o) => `complete -c stackctl -n '__fish_seen_subcommand_from ${c.name}' -l ${o.slice(2)}`),
    ),
    `complete -c stackctl -n '__fish_seen_subcommand_from ${SERVICE_COMMANDS.join(' ')}' -a '(stackctl config --services 2>/dev/null)'`,
  ];
  return `${lines.join('\n')}\n`;
}
