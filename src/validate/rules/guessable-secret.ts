/**
 * CRED005: a secret anyone can guess — equal to a service name (`POSTGRES_PASSWORD: db`), to the user it
 * belongs to (`MYSQL_USER: wp`, `MYSQL_PASSWORD: wp`), or to a well-known default (`postgres`,
 * `password`, `changeme`, `secret`, …). The stack works, so nobody notices. Values that fall back to a
 * default written in the file are COMPOSE103's finding. The value itself is never printed.
 */
import type { Service, VariableReference } from '../../config/model.js';
import { isSecretName } from '../../config/secret-values.js';
import type { Diagnostic } from '../../diagnostic.js';
import type { Rule } from '../rule.js';
import { finding } from '../rule.js';

const WELL_KNOWN = new Set([
  'password', 'passw0rd', 'p@ssw0rd', 'password1', 'password123', 'pass', 'secret', 'secret123', 'changeme', 'change-me', 'change_me', 'changeit',
  'admin', 'admin123', 'root', 'toor', 'postgres', 'mysql', 'redis', 'mongo', 'guest', 'test', 'testing', 'example', 'default', 'letmein',
  'qwerty', '123456', '12345678', '1234', 'minioadmin', 'minio123', 'rabbitmq', 'user', 'demo', 'dev', 'development', 'insecure', 'foobar',
]);

export const guessableSecret: Rule = {
  code: 'CRED005',
  name: 'guessable-secret',
  category: 'credentials',
  severity: 'warning',
  summary: 'A secret equals a service name, its own user, or a well-known default (`postgres`, `password`, `changeme`, `secret`, …): anyone can guess it',
  leavesAlone: 'Long random values; `*_FILE` variables and `/run/secrets/…` paths; values that fall back to a default written in the file (COMPOSE103)',
  check({ stack }) {
    const out: Diagnostic[] = [];
    // One .env entry (`ELASTIC_PASSWORD='changeme'`) used by three services is one finding.
    const byVariable = new Map<string, Diagnostic>();
    const names = new Set(stack.services.map((s) => s.name.toLowerCase()));
    for (const service of stack.services) {
      for (const [variable, value] of Object.entries(service.environment)) {
        if (value === '' || !(isSecretName(variable) || service.secrets.includes(variable)) || isFileReference(variable, value)) continue;
        if (defaultedHere(stack.variables, service, variable)) continue;
        const lower = value.toLowerCase();
        const user = userOf(service, variable);
        const why = names.has(lower)
          ? `the name of the service ${stack.services.find((s) => s.name.toLowerCase() === lower)!.name}`
          : user !== undefined && user.value.toLowerCase() === lower
            ? `its user (${user.name})`
            : WELL_KNOWN.has(lower)
              ? 'a well-known default password'
              : undefined;
        if (!why) continue;
        const location = service.environmentLocations[variable] ?? service.location;
        const source = sourceVariable(stack.variables, service, variable, value);
        const earlier = source === undefined ? undefined : byVariable.get(source);
        if (earlier) {
          earlier.occurrences = [...(earlier.occurrences ?? [{ service: earlier.service!, location: earlier.location }]), { service: service.name, location }];
          earlier.message = `${earlier.message.replace(/ \(used by \d+ services\)$/, '')} (used by ${earlier.occurrences.length} services)`;
          continue;
        }
        const diagnostic = finding(guessableSecret, {
          service: service.name,
          location,
          message: `${source !== undefined && source !== variable ? `${variable} (from ${source})` : variable} is the same as ${why}: anyone who knows the stack can guess it`,
          hint:
            source !== undefined
              ? `set ${source} in .env to a random value (e.g. \`openssl rand -hex 24\`)`
              : `set ${variable} from .env to a random value (e.g. \`openssl rand -hex 24\`): write \`${variable}: \${${variable}:?set it in .env}\``,
        });
        if (source !== undefined) byVariable.set(source, diagnostic);
        out.push(diagnostic);
      }
    }
    return out;
  },
};

/** `*_PASSWORD_FILE=/run/secrets/db_password` names a file, not a password. */
function isFileReference(variable: string, value: string): boolean {
  return /_FILE$/.test(variable) || value.startsWith('/run/secrets/');
}

/** The user variable that goes with a password variable: `POSTGRES_PASSWORD` → `POSTGRES_USER`. */
function userOf(service: Service, variable: string): { name: string; value: string } | undefined {
  const prefix = variable.replace(/_?(PASSWORD|PASSWD|PASS|SECRET|TOKEN)$/i, '');
  const candidates = [`${prefix}_USER`, `${prefix}_USERNAME`, `${prefix}_LOGIN`, `${prefix}USER`, 'USER', 'USERNAME'];
  for (const name of candidates) {
    const value = service.environment[name];
    if (value !== undefined && value !== '') return { name, value };
  }
  return undefined;
}

/** The variable a value is exactly (`KEY: ${VAR}`), when it is one. */
function sourceVariable(references: readonly VariableReference[], service: Service, variable: string, value: string): string | undefined {
  const at = service.environmentLocations[variable];
  if (!at) return undefined;
  const refs = references.filter((ref) => ref.service === service.name && ref.location.file === at.file && ref.location.line === at.line);
  return refs.length === 1 && refs[0]!.value === value ? refs[0]!.name : undefined;
}

function defaultedHere(references: readonly VariableReference[], service: Service, variable: string): boolean {
  const at = service.environmentLocations[variable];
  if (!at) return false;
  return references.some((ref) => ref.service === service.name && ref.defaulted && ref.location.file === at.file && ref.location.line === at.line);
}
