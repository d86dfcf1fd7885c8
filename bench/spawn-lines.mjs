/**
 * Spawning a process whose stdout a benchmark reads line by line as it comes (a `--json` run of
 * stackctl, to time when its last service became ready inside the run it also times whole).
 */
import { spawn } from 'node:child_process';
import { performance } from 'node:perf_hooks';

/**
 * Spawns `command argv` with `options`; hands each stdout line, as it arrives, to `onLine(line,
 * msSinceSpawn)`. Resolves when the process closes with its exit code, whole stdout and stderr, and
 * the wall time from spawn in ms.
 */
export function spawnLines(command, argv, options, onLine = () => {}) {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn(command, argv, options);
    let stdout = '';
    let stderr = '';
    let buffer = '';
    child.stdout.on('data', (chunk) => {
      stdout += chunk;
      buffer += chunk;
      let newline;
      while ((newline = buffer.indexOf('\n')) >= 0) {
        const line = buffer.slice(0, newline);
        buffer = buffer.slice(newline + 1);
        onLine(line, performance.now() - t0);
      }
    });
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr, wallMs: performance.now() - t0 }));
  });
}

/** Whether a `--json` event line says a service is ready (or started, or completed: a one-shot's ready). */
export function isReadyEvent(line) {
  return line.includes('"type":"service.phase"') && /"phase":"(ready|started|completed)"/.test(line);
}
