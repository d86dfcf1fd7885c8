/**
 * Compose healthcheck → stackctl readiness probe. A recognisable check becomes the probe that proves
 * the same thing from outside the container (and authenticates where the healthcheck did not):
 *
 *   curl -f URL / wget --spider URL / python urllib.request.urlopen(URL) / httpx|requests.get(URL) → http
 *   pg_isready [-U user] [-d db] [-p port]                                    → postgres (credentials from env)
 *   redis-cli [-a pw] ping                                                    → redis (password from -a, env or --requirepass)
 *   psql … -c 'SELECT 1'                                                      → postgres
 *   nc -z localhost PORT, exec 3<>/dev/tcp/127.0.0.1/PORT                     → tcp
 *   anything else                                                             → exec (the command as written)
 *
 * Each tool is read by its own recogniser under healthcheck/ (listed in healthcheck/registry.ts);
 * this module takes `test` apart (NONE / CMD / CMD-SHELL, simple shell tails) and asks them.
 *
 * Pure: the caller says how container variables look (`$X` after compose interpolation, `$$X` as
 * written in the file) and supplies the container environment to resolve them.
 */
import type { ProbeSpec } from '../config/model.js';
import { shellSplit } from '../config/normalize.js';
import { recognise } from './healthcheck/registry.js';
import type { HealthcheckContext } from './healthcheck/recogniser.js';

export type HealthcheckTranslation =
  | { kind: 'disabled' }
  | { kind: 'probe'; probe: ProbeSpec; /** how it was translated, for comments and notes */ note: string; recognised: boolean }
  | { kind: 'invalid'; message: string };

/** `test` as written: a string (= CMD-SHELL) or a list starting with NONE / CMD / CMD-SHELL. */
export function translateHealthcheck(test: unknown, ctx: HealthcheckContext): HealthcheckTranslation {
  let shell: string | undefined;
  let argv: string[] | undefined;
  if (typeof test === 'string') {
    if (test.trim() === '') return { kind: 'invalid', message: 'healthcheck test is empty' };
    shell = test;
  } else if (Array.isArray(test)) {
    if (test.some((item) => item !== null && typeof item === 'object')) return { kind: 'invalid', message: 'healthcheck test must be a list of strings' };
    const words = test.map((item) => (item === null || item === undefined ? '' : String(item)));
    const [head, ...rest] = words;
    if (head === 'NONE') return { kind: 'disabled' };
    if (head === 'CMD') {
      if (rest.length === 0) return { kind: 'invalid', message: 'healthcheck test ["CMD"] names no command' };
      argv = rest;
    } else if (head === 'CMD-SHELL') {
      if (rest.length === 0) return { kind: 'invalid', message: 'healthcheck test ["CMD-SHELL"] names no command' };
      shell = rest.join(' ');
    } else {
      return { kind: 'invalid', message: `healthcheck test must start with "CMD", "CMD-SHELL" or "NONE", not ${JSON.stringify(head ?? '')}` };
    }
  } else {
    return { kind: 'invalid', message: 'healthcheck test must be a string or a list' };
  }

  const execProbe = (): HealthcheckTranslation => ({
    kind: 'probe',
    probe: { kind: 'exec', command: argv ?? ['sh', '-c', shell ?? ''] },
    note: `kept as an exec probe (runs \`${(argv ?? [shell ?? '']).join(' ')}\` inside the container)`,
    recognised: false,
  });

  // `sh -c "…"` in CMD form is a shell command too.
  if (argv && argv.length === 3 && /^(\/bin\/|\/usr\/bin\/)?(ba)?sh$/.test(argv[0]!) && argv[1] === '-c') {
    shell = argv[2]!;
  }
  let words: string[] | undefined;
  if (shell !== undefined && (!argv || argv.length === 3)) {
    const simple = simplifyShell(shell);
    const split = simple === undefined ? undefined : shellSplit(simple);
    words = split?.ok ? split.value : undefined;
  } else {
    words = argv;
  }
  if (!words || words.length === 0) return execProbe();
  const probe = recognise(words, ctx);
  if (!probe) return execProbe();
  return { kind: 'probe', probe: probe.probe, note: probe.note, recognised: true };
}

/** Strips `|| exit 1`-style tails and `| grep PONG`; returns undefined for other compound commands. */
function simplifyShell(text: string): string | undefined {
  let s = text.trim();
  s = s.replace(/\s*;?\s*$/, '');
  s = s.replace(/\s*\|\|\s*(exit\s+1|false|exit)\s*;?$/, '');
  s = s.replace(/\s*\|\s*grep\s+(-q\s+)?['"]?PONG['"]?$/i, '');
  s = s.replace(/\s*(>|1>|2>)\s*\/dev\/null(\s+2>&1)?/g, '');
  if (/(&&|\|\||[;|`]|\$\()/.test(stripQuoted(s))) return undefined;
  return s;
}

function stripQuoted(text: string): string {
  return text.replace(/'[^']*'/g, "''").replace(/"(?:[^"\\]|\\.)*"/g, '""');
}
