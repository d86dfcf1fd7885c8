/** Memoised file-system reads for rules (several rules read the same Dockerfile or directory). */
import { readdirSync, statSync, type Stats } from 'node:fs';
import { readInputFileSync } from '../../config/read-input.js';

export class FileCache {
  private readonly texts = new Map<string, string | undefined>();
  private readonly stats = new Map<string, Stats | undefined>();
  private readonly dirs = new Map<string, string[] | undefined>();

  /** File contents, or undefined when missing/unreadable. */
  text(file: string): string | undefined {
    if (!this.texts.has(file)) {
      const read = readInputFileSync(file);
      const text = read.ok ? read.text : undefined;
      this.texts.set(file, text);
    }
    return this.texts.get(file);
  }

  stat(file: string): Stats | undefined {
    if (!this.stats.has(file)) {
      let stat: Stats | undefined;
      try {
        stat = statSync(file);
      } catch {
        stat = undefined;
      }
      this.stats.set(file, stat);
    }
    return this.stats.get(file);
  }

  isFile(file: string): boolean {
    return this.stat(file)?.isFile() ?? false;
  }

  isDirectory(file: string): boolean {
    return this.stat(file)?.isDirectory() ?? false;
  }

  exists(file: string): boolean {
    return this.stat(file) !== undefined;
  }

  /** Entry names of a directory, or undefined. */
  list(dir: string): string[] | undefined {
    if (!this.dirs.has(dir)) {
      let names: string[] | undefined;
      try {
        names = readdirSync(dir);
      } catch {
        names = undefined;
      }
      this.dirs.set(dir, names);
    }
    return this.dirs.get(dir);
  }
}
