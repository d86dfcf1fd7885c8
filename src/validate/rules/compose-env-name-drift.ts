/**
 * COMPOSE105: the same value reaches one service under a different variable name than everywhere
 * else — `AIRTABLE_GATEWAY_API_KEY=${API_KEY}` where every other service gets `API_KEY=${API_KEY}`,
 * `MCP_SERVER_HTTP_URL` where the others say `MCP_SERVER_URL`. If that service's code reads the
 * common name (its configuration module is usually shared), it reads nothing.
 */
import type { Service, Stack, VariableReference } from '../../config/model.js';
import type { Diagnostic } from '../../diagnostic.js';
import type { Rule } from '../rule.js';

export const composeEnvNameDrift: Rule = {
  code: 'COMPOSE105',
  name: 'compose-env-name-drift',
  category: 'env',
  severity: 'warning',
  summary: 'One service gets a value under a different variable name than every other service (`AIRTABLE_GATEWAY_API_KEY=${API_KEY}` vs `API_KEY`)',
  leavesAlone: 'Registry images (another program with its own documented names); a server\'s own setting passed under an SDK\'s standard name (MINIO_ROOT_USER → AWS_ACCESS_KEY_ID)',
  check({ stack }) {
    // signature of a value (the variables it comes from, or a service URL) → name → services using it
    const uses = new Map<string, Map<string, Set<string>>>();
    const signatures = new Map<Service, Map<string, string>>();
    for (const service of stack.services) {
      const own = new Map<string, string>();
      for (const [name, value] of Object.entries(service.environment)) {
        const signature = valueSignature(stack, service, name, value);
        if (!signature) continue;
        own.set(name, signature);
        const byName = uses.get(signature) ?? new Map<string, Set<string>>();
        uses.set(signature, byName);
        const users = byName.get(name) ?? new Set<string>();
        users.add(service.name);
        byName.set(name, users);
      }
      signatures.set(service, own);
    }
    const out: Diagnostic[] = [];
    for (const service of stack.services) {
      // A registry image is another program with its own documented names; drift is a shared codebase's problem.
      if (!service.build) continue;
      const own = signatures.get(service)!;
      const reported = new Set<string>();
      for (const [name, signature] of own) {
        if (reported.has(signature)) continue;
        const byName = uses.get(signature)!;
        const mine = byName.get(name)!.size;
        const names = [...own].filter(([, s]) => s === signature).map(([n]) => n);
        // The name most other services use for this value.
        let common: string | undefined;
        let commonCount = 0;
        for (const [other, users] of byName) {
          if (other === name || users.has(service.name)) continue;
          if (users.size > commonCount) {
            common = other;
            commonCount = users.size;
          }
        }
        if (!common || commonCount < 2 || commonCount <= mine || common in service.environment) continue;
        // A server image's own setting (MINIO_ROOT_USER, POSTGRES_PASSWORD) passed to a client under its
        // SDK's standard name (AWS_ACCESS_KEY_ID, PGPASSWORD) is a translation, not a drift.
        if (SERVER_SETTING.test(common) || names.some((n) => STANDARD_CLIENT_NAME.test(n))) continue;
        reported.add(signature);
        const others = [...byName.get(common)!].sort();
        out.push({
          code: composeEnvNameDrift.code,
          severity: composeEnvNameDrift.severity,
          service: service.name,
          location: service.environmentLocations[names[0]!] ?? service.location,
          message: `${service.name} gets ${describe(signature)} as ${names.join(', ')}, while ${others.join(', ')} get it as ${common}; if ${service.name}'s code reads ${common} it gets nothing`,
          hint: `pass it under the name the code reads: add \`${common}\` to ${service.name}'s environment (or rename ${names[0]})`,
        });
      }
    }
    return out;
  },
};

const SERVER_SETTING = /^(MINIO|POSTGRES|MYSQL|MARIADB|MONGO_INITDB|RABBITMQ_DEFAULT|ELASTIC|KEYCLOAK|KC|CLICKHOUSE|INFLUXDB|NEO4J|GF_SECURITY)_/;
const STANDARD_CLIENT_NAME = /^(AWS|GOOGLE|AZURE|GCP|S3|PG|PGPASSWORD$|MYSQL_PWD$)/;

function describe(signature: string): string {
  return signature.startsWith('$') ? signature : `the URL ${signature}`;
}

/** `${API_KEY}` for a value that is exactly one variable; the URL for a service URL; else undefined. */
function valueSignature(stack: Stack, service: Service, name: string, value: string): string | undefined {
  const location = service.environmentLocations[name];
  if (!location) return undefined;
  const refs = stack.variables.filter((ref: VariableReference) => ref.service === service.name && ref.location.file === location.file && ref.location.line === location.line && ref.expression !== name);
  if (refs.length === 1) {
    const ref = refs[0]!;
    // Only a value that is exactly the variable (`KEY=${VAR}`), not one built from it (`redis://:${VAR}@…`).
    if (ref.defaulted || value !== (ref.value ?? '')) return undefined;
    return `\${${ref.name}}`;
  }
  if (refs.length === 0 && /^[a-z][a-z0-9+.-]*:\/\/[a-z0-9_.-]+(:\d+)?\/?$/i.test(value)) {
    const host = new URL(value).hostname;
    if (stack.services.some((s) => s.name === host)) return value.replace(/\/$/, '');
  }
  return undefined;
}
