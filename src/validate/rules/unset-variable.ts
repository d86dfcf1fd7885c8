import type { Rule } from '../rule.js';
import { finding } from '../rule.js';

/** `${VAR}` (no default) where VAR is not set anywhere: the value silently becomes "". */
export const unsetVariable: Rule = {
  code: 'ENV001',
  name: 'unset-variable',
  category: 'env',
  severity: 'error',
  summary: 'A variable is referenced (`${VAR}`, or passed through as bare `VAR`) but set neither in the environment nor in .env',
  check({ stack }) {
    const seen = new Set<string>();
    return stack.variables
      .filter((ref) => ref.value === undefined && ref.operator === undefined)
      .filter((ref) => {
        const key = `${ref.location.file}:${ref.location.line}:${ref.location.col}:${ref.name}`;
        if (seen.has(key)) return false;
        seen.add(key);
        return true;
      })
      .map((ref) => {
        const passThrough = ref.expression === ref.name;
        return finding(unsetVariable, {
          ...(ref.service !== undefined ? { service: ref.service } : {}),
          location: ref.location,
          message: passThrough
            ? `${ref.name} is passed through from the environment but is not set, so the container gets no ${ref.name}`
            : `${ref.name} is not set, so ${ref.expression} becomes an empty string${where(ref.path)}`,
          hint: `set ${ref.name} in .env beside ${basename(stack.file)} (or export it), or write \${${ref.name}:-default} / \${${ref.name}:?why it is needed}`,
        });
      });
  },
};

function where(path: Array<string | number>): string {
  const key = path[2];
  if (key === 'command' || key === 'entrypoint') return ` in the ${key}`;
  if (key === 'environment' && path[3] !== undefined) return typeof path[3] === 'string' ? ` in ${path[3]}` : '';
  if (key === 'readiness') return ' in the readiness probe';
  return '';
}

function basename(file: string): string {
  return file.split(/[\\/]/).pop() ?? file;
}
