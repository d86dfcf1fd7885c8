/** `psql -h 127.0.0.1 -U user -d db -c 'SELECT 1'`: a login check, as stackctl's postgres probe does. */
import { postgresLogin } from './postgres-login.js';
import { option, type Recogniser } from './recogniser.js';

export const psql: Recogniser = {
  tool: 'psql',
  handles: (program) => program === 'psql',
  recognise(words, ctx, shown) {
    const command = option(words, ['-c', '--command', '-tAc', '-tc', '-Atc'], ctx);
    if (typeof command !== 'string' || !/^\s*select\s+1\s*;?\s*$/i.test(command)) return undefined;
    const probe = postgresLogin(words, ctx, {
      user: ['PGUSER', 'POSTGRES_USER'],
      password: ['PGPASSWORD', 'POSTGRES_PASSWORD'],
      database: ['PGDATABASE', 'POSTGRES_DB'],
    });
    if (!probe) return undefined;
    return { probe, note: `translated from \`${shown.split(' -tAc')[0]} …\`: a postgres login + SELECT 1` };
  },
};
