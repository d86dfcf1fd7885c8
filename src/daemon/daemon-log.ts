/**
 * What the daemon says about itself, one line at a time (the output of `stackctl daemon`, or its log
 * file when detached), and the lines it writes for the supervisor's and the engine's events. The
 * containers' own output is log-collector.ts's business.
 */
import type { EngineEvent } from '../engine/events.js';
import type { SupervisorEvent } from './supervisor-machine.js';

export type DaemonLogLevel = 'info' | 'warn' | 'error';

/** Writes one line of the daemon's log, redacted. */
export type Say = (level: DaemonLogLevel, message: string) => void;

interface Said {
  level: DaemonLogLevel;
  message: string;
}

/** The line for a supervisor event worth a line (state changes, restarts, giving up, recovery). */
export function supervisorEventLine(event: SupervisorEvent): Said | undefined {
  switch (event.type) {
    case 'service.state':
      return { level: event.state === 'failed' ? 'error' : event.state === 'ready' ? 'info' : 'warn', message: `${event.service}: ${event.previous} → ${event.state} (${event.reason})` };
    case 'service.restarting':
      return { level: 'warn', message: `${event.service}: restart #${event.attempt} by ${event.by} (${event.reason})` };
    case 'service.gave-up':
      return { level: 'error', message: `${event.service}: marked failed after ${event.restarts} restarts: ${event.reason}` };
    case 'service.recovered':
      return { level: 'info', message: `${event.service}: recovered after ${event.downMs} ms` };
    default:
      return undefined;
  }
}

/** The line for an engine event worth a line (a service's phase, but waiting; a failure with its hint). */
export function engineEventLine(event: EngineEvent): Said | undefined {
  if (event.type === 'service.phase') {
    return event.phase === 'waiting' ? undefined : { level: 'info', message: `${event.service}: ${event.phase}${event.detail ? ` (${event.detail})` : ''}` };
  }
  if (event.type === 'service.failed') {
    return { level: 'warn', message: `${event.service}: failed: ${event.diagnosis.rootCause.summary} — hint: ${event.diagnosis.rootCause.hint}` };
  }
  return undefined;
}
