/** `pg_isready [-h local] [-p PORT] [-U user] [-d db]` → a postgres login (pg_isready itself checks no credentials). */
import { postgresLogin } from './postgres-login.js';
import type { Recogniser } from './recogniser.js';

export const pgIsReady: Recogniser = {
  tool: 'pg_isready',
  handles: (program) => program === 'pg_isready',
  recognise(words, ctx, shown) {
    const probe = postgresLogin(words, ctx, {
      user: ['POSTGRES_USER', 'PGUSER'],
      password: ['POSTGRES_PASSWORD', 'PGPASSWORD'],
      database: ['POSTGRES_DB', 'PGDATABASE'],
    });
    if (!probe) return undefined;
    return {
      probe,
      note: `translated from \`${shown}\`: stackctl logs in with POSTGRES_USER/POSTGRES_PASSWORD and runs SELECT 1 (pg_isready checks no credentials)`,
    };
  },
};
