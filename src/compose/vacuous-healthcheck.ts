/**
 * A healthcheck that proves nothing: `exit 0`, `true`, `echo ok`, `python -c "import sys; sys.exit(0)"`,
 * `node -e "process.exit(0)"` — it passes whether or not the service serves anything. Such a check is
 * flagged (COMPOSE108) and never used as a readiness probe.
 */
const TRIVIAL_COMMANDS: RegExp[] = [
  /^(\/bin\/|\/usr\/bin\/)?true$/,
  /^exit(\s+0)?$/,
  /^(\/bin\/)?echo(\s+.*)?$/,
  /^:$/,
  /^(python[23]?(\.\d+)?|\/usr\/local\/bin\/python[23]?)\s+-c\s+(['"])\s*(import\s+sys\s*[;\n]\s*)?(sys\.)?exit\(\s*0?\s*\)\s*;?\s*\3$/,
  /^(python[23]?(\.\d+)?)\s+-c\s+(['"])\s*(pass|0|True|None)?\s*\3$/,
  /^node\s+-e\s+(['"])\s*(process\.exit\(\s*0?\s*\)|0|true|null)?\s*;?\s*\1$/,
  /^(ruby|perl)\s+-e\s+(['"])\s*(exit(\(?\s*0?\s*\)?)?|0|1)\s*;?\s*\2$/,
];

/** The healthcheck `test` (as the model keeps it) proves nothing about the service. */
export function isVacuousHealthcheck(test: string[] | string): boolean {
  let command: string;
  if (typeof test === 'string') command = test;
  else if (test[0] === 'CMD-SHELL') command = test.slice(1).join(' ');
  else if (test[0] === 'CMD') {
    const argv = test.slice(1);
    command = argv.length === 3 && /^(\/bin\/)?(ba)?sh$/.test(argv[0]!) && argv[1] === '-c' ? argv[2]! : argv.map((w) => (/\s/.test(w) ? `"${w}"` : w)).join(' ');
  } else return false;
  // Every command of a `a; b && c` chain must be trivial (`exit 0 || exit 1` is still trivial).
  const parts = splitChain(command.trim());
  if (parts.length === 0) return false;
  // A pipe or a redirection feeds another program (`echo stats | nc 127.0.0.1 11211`): that one is the check.
  return parts.every((part, i) => (!/[|<>]/.test(stripQuotes(part)) && TRIVIAL_COMMANDS.some((re) => re.test(part))) || (i > 0 && /^exit\s+1$/.test(part)));
}

function stripQuotes(text: string): string {
  return text.replace(/'[^']*'/g, "''").replace(/"[^"]*"/g, '""');
}

/** `a && b || c; d` → its commands, not splitting inside quotes. */
function splitChain(text: string): string[] {
  const parts: string[] = [];
  let current = '';
  let quote: string | undefined;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (quote) {
      if (ch === quote) quote = undefined;
      current += ch;
      continue;
    }
    if (ch === '"' || ch === "'") {
      quote = ch;
      current += ch;
      continue;
    }
    const two = text.slice(i, i + 2);
    if (two === '&&' || two === '||' || ch === ';') {
      parts.push(current.trim());
      current = '';
      if (two === '&&' || two === '||') i++;
      continue;
    }
    current += ch;
  }
  parts.push(current.trim());
  return parts.filter((part) => part !== '');
}
