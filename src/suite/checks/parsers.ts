/**
 * Every check kind's parser, beside its runner in checks/<kind>.ts, keyed by kind (as runner.ts keys
 * the runners): load-suite.ts asks the one a check's kind names.
 */
import type { CheckKind } from '../../report/model.js';
import { browserParser } from './browser.js';
import { externalParser } from './external.js';
import { httpParser } from './http.js';
import { loadParser } from './load.js';
import { metricParser } from './metric.js';
import type { CheckParser } from './parse-context.js';
import { postgresParser } from './postgres.js';
import { redisParser } from './redis.js';
import { tcpParser } from './tcp.js';

export const PARSERS: { readonly [K in CheckKind]: CheckParser } = {
  http: httpParser,
  tcp: tcpParser,
  postgres: postgresParser,
  redis: redisParser,
  load: loadParser,
  metric: metricParser,
  external: externalParser,
  browser: browserParser,
};
