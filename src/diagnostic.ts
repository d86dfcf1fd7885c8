/**
 * A finding with its file:line:col and a hint: what the loaders (config, compose) and the validation
 * rules return as values and the CLI renders. Shared by all three, so it sits below them.
 */
import type { SourceLocation } from './errors.js';

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
  /**
   * Every place one cause shows, when it shows in more than one (one unset variable used in 31 places,
   * one YAML anchor merged into 21 services): reported once, here, instead of 31 times. The first entry
   * is `location` itself.
   */
  occurrences?: Occurrence[];
}

export interface Occurrence {
  service?: string;
  location: SourceLocation;
}
