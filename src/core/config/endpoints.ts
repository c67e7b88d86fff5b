import * as z from 'zod/mini';
import { commaList } from './fields.js';

type Issues = { push(issue: z.core.$ZodRawIssue): void };

const ENDPOINT_GLOB = /^[A-Za-z0-9._~%*-][A-Za-z0-9._~%*/-]*$/;

function endpointsOf(entries: readonly string[], issues: Issues): readonly string[] | typeof z.NEVER {
  if (entries.length === 0) {
    issues.push({
      code: 'custom',
      message: 'must name at least one endpoint (leave it out to forward every /v1/ endpoint)',
      input: '',
    });
    return z.NEVER;
  }
  for (const [index, entry] of entries.entries()) {
    if (!ENDPOINT_GLOB.test(entry) || entry.startsWith('v1/')) {
      issues.push({
        code: 'custom',
        message: `entry ${index + 1} must be an endpoint relative to /v1/, like chat/completions or audio/* (no leading / or v1/)`,
        input: '',
      });
      return z.NEVER;
    }
  }
  return entries;
}

/** `ALLOWED_PATHS`: comma-separated endpoint globs relative to `/v1/`. Only separators (" , ") count as unset. */
export const endpointsText = z.pipe(
  z.string(),
  z.transform((value: string, ctx) => {
    const entries = commaList(value);
    return entries.length === 0 ? undefined : endpointsOf(entries, ctx.issues);
  }),
);

/** A config file's `allowedPaths`: an array of endpoint globs relative to `/v1/`. */
export const endpointsList = z.pipe(
  z
    .array(z.string(), 'must be an array of endpoints like ["chat/completions", "audio/*"]')
    .check(
      z.describe(
        'Endpoints forwarded, as globs relative to /v1/ (e.g. chat/completions, audio/*); others get 403. Without it: every /v1/ endpoint. Environment: ALLOWED_PATHS.',
      ),
    ),
  z.transform((value: string[], ctx) => endpointsOf(value, ctx.issues)),
);
