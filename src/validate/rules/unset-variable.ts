/**
 * ENV001: `${VAR}` (no operator) where VAR is set neither in the environment nor in .env: compose
 * substitutes an empty string. One finding per variable, however many places use it (all listed in
 * `occurrences`), pointing at the example env file when one documents it. An error when the value feeds
 * a credential, a URL, a port, an image or a readiness probe (that will fail); a warning otherwise
 * (compose runs with the empty value, which is often meant).
 */
import type { VariableReference } from '../../config/model.js';
import { formatLocation } from '../../errors.js';
import type { Diagnostic } from '../../diagnostic.js';
import type { Rule } from '../rule.js';
import { finding } from '../rule.js';
import { exampleEntry, isUnset, whatItFeeds, type Feeds } from '../support/variables.js';
import { fromStackDir } from '../support/build.js';

export const unsetVariable: Rule = {
  code: 'ENV001',
  name: 'unset-variable',
  category: 'env',
  severity: 'error',
  summary:
    'A variable is referenced (`${VAR}`, or passed through as bare `VAR`) but not set: one finding per variable with every place it is used; an error when it feeds a credential, URL, port, image or probe, else a warning',
  leavesAlone: '`${VAR:-default}`, `${VAR:-}`, `${VAR-x}`, `${VAR:+x}` (handled on purpose); `${VAR:?}` (INTERP002 says it); a bare pass-through (`environment: [VAR]`) that is not a credential; one variable used in many places is one finding',
  check({ stack, services, files }) {
    const byName = new Map<string, VariableReference[]>();
    const seen = new Set<string>();
    for (const ref of stack.variables) {
      if (!isUnset(ref)) continue;
      const key = `${ref.location.file}:${ref.location.line}:${ref.location.col}:${ref.name}:${ref.service ?? ''}`;
      if (seen.has(key)) continue;
      seen.add(key);
      const list = byName.get(ref.name) ?? [];
      list.push(ref);
      byName.set(ref.name, list);
    }
    const out: Diagnostic[] = [];
    for (const [name, refs] of byName) {
      const first = refs[0]!;
      const feeds = refs.map((ref) => whatItFeeds(ref, ref.service === undefined ? undefined : services.get(ref.service)));
      const critical = feeds.find((f): f is Exclude<Feeds, 'value'> => f !== 'value');
      const passThrough = refs.every((ref) => ref.expression === ref.name);
      // `environment: [SENTRY_MAIL_HOST]` passes the variable only when it is set: optional by design,
      // unless it is a credential the container surely needs (then a warning).
      if (passThrough && !critical) continue;
      const example = exampleEntry(stack, name, files);
      const places = distinctPlaces(refs, stack.file);
      const sharedBy = new Set(refs.map((ref) => ref.service).filter((s) => s !== undefined)).size;
      const elsewhere =
        places.length === 1 && sharedBy > 1
          ? ` — the line is shared by ${sharedBy} services`
          : places.length > 1 ? ` — used in ${places.length} places: ${places.slice(0, 6).map((p) => p.label).join(', ')}${places.length > 6 ? ', …' : ''}` : '';
      const diagnostic = finding(unsetVariable, {
        ...(first.service !== undefined ? { service: first.service } : {}),
        severity: critical && !passThrough ? 'error' : 'warning',
        location: first.location,
        message: passThrough
          ? `${name} is passed through from the environment but is not set, so the container gets no ${name}${elsewhere}`
          : `${name} is not set, so ${first.expression} becomes an empty string${where(first.path)}${critical ? ` (it is ${FEEDS[critical]})` : ''}${elsewhere}`,
        hint: example
          ? `${fromStackDir(stack, example.file)} documents ${name} (line ${example.line}): copy it to .env beside ${basename(stack.file)} and give ${name} a value`
          : `set ${name} in .env beside ${basename(stack.file)} (or export it)${critical ? '' : `, or write \${${name}:-} if empty is meant`}`,
      });
      if (places.length > 1) diagnostic.occurrences = places.map((p) => ({ ...(p.service !== undefined ? { service: p.service } : {}), location: p.location }));
      out.push(diagnostic);
    }
    return out;
  },
};

const FEEDS: Record<Exclude<Feeds, 'value'>, string> = {
  credential: 'a credential',
  url: 'part of a URL',
  port: 'a port',
  image: 'part of an image name',
  probe: 'used by the readiness probe',
};

/** One entry per file:line (an anchor merged into 21 services is one place, named with its services). */
function distinctPlaces(refs: VariableReference[], stackFile: string): Array<{ label: string; service?: string; location: VariableReference['location'] }> {
  const byLine = new Map<string, { services: Set<string>; ref: VariableReference }>();
  for (const ref of refs) {
    const key = `${ref.location.file}:${ref.location.line}`;
    const entry = byLine.get(key) ?? { services: new Set<string>(), ref };
    if (ref.service !== undefined) entry.services.add(ref.service);
    byLine.set(key, entry);
  }
  return [...byLine.values()].map(({ services, ref }) => ({
    label: `${ref.location.file === stackFile ? `line ${ref.location.line}` : formatLocation({ ...ref.location, file: basename(ref.location.file) })}${services.size > 1 ? ` (${services.size} services)` : services.size === 1 ? ` (${[...services][0]})` : ''}`,
    ...(ref.service !== undefined ? { service: ref.service } : {}),
    location: ref.location,
  }));
}

function where(path: Array<string | number>): string {
  const key = path[2];
  if (key === 'command' || key === 'entrypoint') return ` in the ${key}`;
  if (key === 'environment' && path[3] !== undefined) return typeof path[3] === 'string' ? ` in ${path[3]}` : '';
  if (key === 'readiness') return ' in the readiness probe';
  if (path[0] !== 'services' && path.length === 2 && typeof path[1] === 'string') return ` in ${path[1]}`;
  return '';
}

function basename(file: string): string {
  return file.split(/[\\/]/).pop() ?? file;
}
