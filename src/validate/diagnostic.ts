/** A validation finding. Rules return these as values; the CLI renders them. */
import type { SourceLocation } from '../errors.js';

export type Severity = 'error' | 'warning' | 'info';

export interface Diagnostic {
  /** Stable code, e.g. `ENV001`; documented in README's rule table. */
  code: string;
  severity: Severity;
  /** Service the finding is about; undefined for stack-wide findings. */
  service?: string;
  location: SourceLocation;
  message: string;
  hint: string;
}
