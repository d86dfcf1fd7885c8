/** stackctl's version, printed by --version and recorded by the daemon (its own module: no command imports cli/main.ts). */
export const VERSION = '0.1.0';
