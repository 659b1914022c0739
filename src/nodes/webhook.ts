/**
 * @module `webhook`: the entry node of an HTTP trigger, `POST /hooks/{workflowId}/{path}`. The server
 * reads its parameters from the published version; its output is the request, as data.
 */
import { z } from 'zod';
import { defineNode } from './node-type.ts';

/** Segments of URL-safe characters; none may start with a dot, so `.` and `..` cannot appear. */
const WEBHOOK_PATH = /^[A-Za-z0-9_~-][A-Za-z0-9._~-]*(\/[A-Za-z0-9_~-][A-Za-z0-9._~-]*)*$/;
const HEADER_NAME = /^[a-z0-9!#$%&'*+.^_`|~-]+$/;

const headerName = z.string().regex(HEADER_NAME, 'a lower-case HTTP header name').max(100);

export const webhookParams = z.strictObject({
  path: z
    .string()
    .max(200)
    .regex(
      WEBHOOK_PATH,
      'URL path segments of letters, digits and ._~- separated by "/", none starting with "."',
    )
    .describe('The path under /hooks/{workflowId}/, e.g. `orders` or `github/push`.'),
  respond: z
    .enum(['immediately', 'node'])
    .default('immediately')
    .describe("`immediately`: 202 with the execution id. `node`: wait for the workflow's respond node."),
  timeoutMs: z
    .int()
    .min(1)
    .max(300_000)
    .default(30_000)
    .describe('With `respond: node`, how long to wait before answering 504 (the execution goes on).'),
  signature: z
    .strictObject({
      secretCredential: z
        .string()
        .regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$/, 'a credential name')
        .optional()
        .describe('The workspace credential whose `secret` field is the shared secret (preferred).'),
      secretEnv: z
        .string()
        .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'an environment variable name')
        .optional()
        .describe(
          'Or: the environment variable holding the shared secret. Never put the secret in the workflow.',
        ),
      header: headerName.default('x-switchyard-signature').describe('Header carrying the hex HMAC-SHA256.'),
      timestampHeader: headerName
        .default('x-switchyard-timestamp')
        .describe('Header carrying the Unix time in seconds that was signed.'),
      toleranceSeconds: z
        .int()
        .min(1)
        .max(86_400)
        .default(300)
        .describe('How far the timestamp may be from now, against replays.'),
    })
    .refine((s) => (s.secretCredential === undefined) !== (s.secretEnv === undefined), {
      message: 'give exactly one of `secretCredential` and `secretEnv`',
    })
    .optional()
    .describe('Require an HMAC-SHA256 over `<timestamp>.<raw body>`; unsigned or stale requests get 401.'),
  deliveryIdHeader: headerName
    .default('x-switchyard-delivery')
    .describe('A repeated delivery id starts nothing and answers with the first execution.'),
});

export type WebhookParams = z.output<typeof webhookParams>;

export const webhookNode = defineNode({
  type: 'webhook',
  title: 'Webhook',
  description:
    'Starts the workflow on POST /hooks/{workflowId}/{path}; outputs { body, headers, query, method, path }. ' +
    'The body is data, never evaluated. Optional HMAC signature with a secret from a workspace credential ' +
    '(`signature.secretCredential`) or an environment variable (`signature.secretEnv`), never stored in the workflow.',
  category: 'trigger',
  pure: true,
  params: webhookParams,
  // The server reads these from the stored definition, unevaluated: they must be literals.
  staticParams: ['path', 'respond', 'timeoutMs', 'signature', 'deliveryIdHeader'],
  shape: { role: 'entry', inputs: [], outputs: ['out'], join: { kind: 'all' } },
  run: async (_ctx, { input }) => ({ out: input ?? null }),
});
