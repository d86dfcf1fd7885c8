/** Compose duration text from milliseconds (parsing is src/config/normalize.ts's parseDuration). */

/** Shortest exact compose form: 90000 → `1m30s`, 500 → `500ms`, 0 → `0s`. */
export function formatComposeDuration(ms: number): string {
  const whole = Math.max(0, Math.round(ms));
  if (whole === 0) return '0s';
  let rest = whole;
  let out = '';
  for (const [unit, size] of [['h', 3_600_000], ['m', 60_000], ['s', 1000], ['ms', 1]] as const) {
    const count = Math.floor(rest / size);
    if (count > 0) {
      out += `${count}${unit}`;
      rest -= count * size;
    }
  }
  return out;
}
