/** Splitting compose's colon-separated short syntax (`SOURCE:TARGET:MODE`) where values may be `${…}` references. */

/** `a:${B:-x:y}:c` → `a`, `${B:-x:y}`, `c`: colons inside a `${…}` reference do not split. */
export function splitOutsideReferences(text: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let current = '';
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (ch === '$' && text[i + 1] === '{') depth++;
    else if (ch === '}' && depth > 0) depth--;
    if (ch === ':' && depth === 0) {
      parts.push(current);
      current = '';
    } else current += ch;
  }
  parts.push(current);
  return parts;
}
