/** `curl [-f] [-H …] [-X …] URL` on a local URL → an http probe (status below 400 with -f, any response without). */
import type { StatusRange } from '../../config/model.js';
import { ANY_RESPONSE, headerOf, httpProbe, localHttpUrl, type Recogniser } from './recogniser.js';

const CURL_VALUE_OPTIONS = new Set([
  '-o', '--output', '-m', '--max-time', '--connect-timeout', '--retry', '--retry-delay', '--retry-max-time', '-w', '--write-out',
  '-A', '--user-agent', '-u', '--user', '-d', '--data', '--data-raw', '--data-binary', '-e', '--referer', '-b', '--cookie',
]);

/** curl -f fails on >= 400 and does not follow redirects without -L: 1xx-3xx pass. */
const SUCCESS_OR_REDIRECT_CURL: StatusRange = { min: 100, max: 399 };

export const curl: Recogniser = {
  tool: 'curl',
  handles: (program) => program === 'curl',
  recognise(words, ctx, shown) {
    let url: string | undefined;
    let fail = false;
    let method = 'GET';
    const headers: Record<string, string> = {};
    for (let i = 1; i < words.length; i++) {
      const word = words[i]!;
      if (word === '-H' || word === '--header') {
        const header = words[++i];
        if (header === undefined) return undefined;
        const entry = headerOf(header, ctx);
        if (!entry) return undefined;
        headers[entry[0]] = entry[1];
      } else if (word === '-X' || word === '--request') {
        method = (words[++i] ?? 'GET').toUpperCase();
      } else if (word === '-I' || word === '--head') {
        method = 'HEAD';
      } else if (word === '--fail' || word === '--fail-with-body') {
        fail = true;
      } else if (/^-[a-zA-Z]+$/.test(word)) {
        if (word.includes('f')) fail = true;
        if ('omwAudeb'.includes(word.slice(-1))) i++;
      } else if (CURL_VALUE_OPTIONS.has(word)) {
        i++;
      } else if (word.startsWith('-')) {
        // flags without values (--silent, --show-error, --insecure, --location, …)
      } else if (url === undefined) {
        url = word;
      } else {
        return undefined;
      }
    }
    if (url === undefined) return undefined;
    const local = localHttpUrl(url, ctx);
    if (!local) return undefined;
    const status = fail ? SUCCESS_OR_REDIRECT_CURL : ANY_RESPONSE;
    return {
      probe: httpProbe(local, status, headers, method),
      note: `translated from \`${shown}\` (${fail ? 'status below 400' : 'any HTTP response'}, checked from the host)`,
    };
  },
};
