/**
 * Canary secrets for leak tests: one per secret-name rule and position, each long and unique, and a
 * check that no output holds any of them — whole, or any 12-character piece of one in any letter case
 * (a shortened or lower-cased copy is a leak too).
 */
import { randomBytes } from 'node:crypto';

const piece = (): string => randomBytes(10).toString('hex');

/** Variable → canary value; names cover the rule set of src/secret-names.ts and a stack-added name. */
export function makeCanaries(): Record<string, string> {
  return {
    API_KEY: `cnryapikey${piece()}`,
    AWS_SECRET_ACCESS_KEY: `cnryaws${piece()}`,
    ENCRYPTION_KEY: `cnryenc${piece()}`,
    STRIPE_KEY: `cnrystripe${piece()}`,
    SECRET_KEY_BASE: `cnryskb${piece()}`,
    SESSION_SECRET_V2: `cnrysess${piece()}`,
    DB_PASS: `cnrydbpass${piece()}`,
    PASSWORD_PEPPER: `cnrypepper${piece()}`,
    JWT_SECRET: `cnryjwt${piece()}`,
    REDIS_PASSWORD: `cnryredis${piece()}`,
    POSTGRES_PASSWORD: `cnrypg${piece()}`,
    LICENSE_BLOB: `cnrylicense${piece()}`,
    GITHUB_TOKEN: `cnrygh${piece()}`,
  };
}

export const FRAGMENT = 12;

/** Every place (label) where a canary, or a 12+ character piece of one, shows up in `text`. */
export function findLeaks(label: string, text: string, canaries: Record<string, string>): string[] {
  const haystack = text.toLowerCase();
  const out: string[] = [];
  for (const [name, value] of Object.entries(canaries)) {
    const lower = value.toLowerCase();
    for (let i = 0; i + FRAGMENT <= lower.length; i++) {
      const fragment = lower.slice(i, i + FRAGMENT);
      const at = haystack.indexOf(fragment);
      if (at >= 0) {
        out.push(`${label}: ${name} leaks as "…${text.slice(Math.max(0, at - 30), at + 40).replace(/\n/g, '⏎')}…"`);
        break;
      }
    }
  }
  return out;
}
