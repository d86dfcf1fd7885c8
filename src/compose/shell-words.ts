/** Quoting argv words for a POSIX shell (splitting is src/config/normalize.ts's shellSplit). */

/** Quotes one word for a POSIX shell; plain words stay as they are. */
export function quoteShellWord(word: string): string {
  if (word !== '' && /^[A-Za-z0-9_@%+=:,./-]+$/.test(word)) return word;
  return `'${word.replace(/'/g, `'\\''`)}'`;
}
