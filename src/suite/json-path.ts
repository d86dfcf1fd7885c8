/**
 * Field paths into JSON documents, as the suite writes them: `access_token`, `user.email`,
 * `records[0].id`, `records.0.id`, `$.records[0].id` (a leading `$` or `$.` is optional).
 */
export function parseJsonPath(path: string): Array<string | number> {
  const text = path.trim().replace(/^\$\.?/, '');
  if (text === '') return [];
  const segments: Array<string | number> = [];
  const re = /([^.[\]]+)|\[(\d+)\]|\["([^"]*)"\]|\['([^']*)'\]/g;
  let match: RegExpExecArray | null;
  while ((match = re.exec(text)) !== null) {
    if (match[1] !== undefined) segments.push(/^\d+$/.test(match[1]) ? Number(match[1]) : match[1]);
    else if (match[2] !== undefined) segments.push(Number(match[2]));
    else segments.push((match[3] ?? match[4]) as string);
  }
  return segments;
}

export interface JsonLookup {
  found: boolean;
  value?: unknown;
}

export function getJsonPath(document: unknown, path: string): JsonLookup {
  let current: unknown = document;
  for (const segment of parseJsonPath(path)) {
    if (Array.isArray(current) && typeof segment === 'number') {
      if (segment >= current.length) return { found: false };
      current = current[segment];
    } else if (current !== null && typeof current === 'object' && !Array.isArray(current)) {
      const record = current as Record<string, unknown>;
      const key = String(segment);
      if (!Object.prototype.hasOwnProperty.call(record, key)) return { found: false };
      current = record[key];
    } else {
      return { found: false };
    }
  }
  return { found: true, value: current };
}
