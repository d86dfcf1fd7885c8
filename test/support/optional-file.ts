/**
 * A file of the sibling ../shared folder (the post-mortem's own compose file) that some tests read
 * when it is there. A user's clone has no ../shared: those tests skip, and the skip says why in the
 * test's title and once on the console. STACKCTL_SHARED_DIR points elsewhere (a git worktree's
 * sibling is not the main checkout's).
 *
 *   const fixture = sharedFile('fixtures/x.yml', 'the post-mortem compose file');
 *   describe.skipIf(!fixture.present)(`… ${fixture.skipNote}`, () => { … });
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export interface OptionalFile {
  path: string;
  present: boolean;
  /** '' when present; otherwise `(skipped: … is absent)` for the describe/it title. */
  skipNote: string;
}

export function sharedFile(relativeToShared: string, what: string): OptionalFile {
  const file = path.resolve(process.env.STACKCTL_SHARED_DIR || path.resolve(REPO, '../shared'), relativeToShared);
  const present = existsSync(file);
  const skipNote = present ? '' : `(skipped: ${what}, ${file}, is absent — it lives outside the repository)`;
  if (!present) console.warn(`skipping the tests that read ${what}: ${file} is absent`);
  return { path: file, present, skipNote };
}
