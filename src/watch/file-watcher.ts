/**
 * Watches directories recursively (Node's fs.watch, inotify on Linux) and hands over the changed
 * paths in batches: a batch closes `debounceMs` after the last change, so an editor's save (write,
 * rename, chmod) or a `git checkout` of many files is one batch.
 */
import { existsSync, statSync, watch, type FSWatcher } from 'node:fs';
import path from 'node:path';
import type { ChangedPath } from './change-plan.js';

export interface FileWatcherOptions {
  debounceMs?: number;
  onBatch: (changed: ChangedPath[]) => void;
  onError?: (error: Error) => void;
}

export class FileWatcher {
  private readonly watchers: FSWatcher[] = [];
  private pending = new Set<string>();
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly options: FileWatcherOptions) {}

  /** Watches each path (a file's directory when the path is a file); nested roots are watched once. */
  watch(paths: string[]): string[] {
    const roots = [...new Set(paths.map((p) => (isDirectory(p) ? p : path.dirname(p))))].sort();
    const outermost = roots.filter((root) => !roots.some((other) => other !== root && root.startsWith(`${other}${path.sep}`)));
    for (const root of outermost) {
      if (!existsSync(root)) continue;
      const watcher = watch(root, { recursive: true }, (_event, name) => {
        if (name) this.add(path.join(root, name.toString()));
      });
      watcher.on('error', (error) => this.options.onError?.(error));
      this.watchers.push(watcher);
    }
    return outermost;
  }

  close(): void {
    for (const watcher of this.watchers) watcher.close();
    this.watchers.length = 0;
    if (this.timer) clearTimeout(this.timer);
  }

  private add(file: string): void {
    this.pending.add(file);
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => this.flush(), this.options.debounceMs ?? 250);
  }

  private flush(): void {
    // A directory's own event only says something inside it changed; those files come on their own.
    const batch = [...this.pending]
      .sort()
      .map((file) => ({ path: file, exists: existsSync(file) }))
      .filter((entry) => !(entry.exists && isDirectory(entry.path)));
    this.pending = new Set();
    this.timer = undefined;
    if (batch.length > 0) this.options.onBatch(batch);
  }
}

function isDirectory(p: string): boolean {
  try {
    return statSync(p).isDirectory();
  } catch {
    return false;
  }
}
