/**
 * @module Webhook triggers: `POST /hooks/{workflowId}/{path}` starts the workflow at its webhook node
 * with the request as data, after the optional signature check and delivery de-duplication, and
 * answers at once (202) or with what the workflow responds.
 */
import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import { SwitchyardError } from '../errors/switchyard-error.ts';
import type { WebhookParams } from '../nodes/webhook.ts';
import { DEFAULT_LIMITS, type ServerDeps } from './deps.ts';
import { idempotent } from './idempotency.ts';
import { executionLocation } from './locations.ts';
import { answerFromWorkflow } from './webhook-answer.ts';
import { acceptRawBodies, decodeBody } from './webhook-body.ts';
import { type Delivery, deliveryGate } from './webhook-deliveries.ts';
import { webhookFinder } from './webhook-nodes.ts';
import { signingSecret, verifySignature } from './webhook-signature.ts';

interface HookRoute {
  Params: { workflowId: string; '*': string };
}

export function webhookRoutes(deps: ServerDeps): FastifyPluginAsync {
  const maxDepth = deps.limits?.maxJsonDepth ?? DEFAULT_LIMITS.maxJsonDepth;
  const find = webhookFinder(deps.store);
  const startOnce = deliveryGate(deps);
  // Signatures seen are kept as deliveries of their own (`sig:` ids), pruned with them.
  const acceptSignatureOnce = async (workflowId: string, signature: string) => {
    const now = deps.clock.now();
    const seen = await deps.store.webhookDeliveries.reserve(workflowId, `sig:${signature}`, now, 0);
    if (!seen.first) {
      throw new SwitchyardError(
        'SY_WEBHOOK_SIGNATURE',
        'this signed request was received before: replays are refused',
        {
          hint: 'Sign each delivery afresh; to retry one safely, resend it with the same delivery id header.',
        },
      );
    }
  };

  return async (app) => {
    acceptRawBodies(app);

    app.post<HookRoute>(
      '/hooks/:workflowId/*',
      { ...idempotent(deps), schema: { hide: true } },
      async (request, reply) => {
        const { workflowId, '*': path } = request.params;
        const target = await find(workflowId, path);
        const { params, workspaceId } = target;
        const raw = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
        let signature: string | undefined;
        if (params.signature) {
          const secret = await signingSecret(params.signature, (name) =>
            deps.security.vault.get(workspaceId, name),
          );
          signature = verifySignature(params.signature, secret, request.headers, raw, deps.clock.now());
        }
        const input = {
          body: decodeBody(raw, request.headers['content-type'], maxDepth),
          headers: headersOf(request, params),
          query: request.query ?? {},
          method: request.method,
          path: request.url.split('?')[0] ?? request.url,
        };
        const deliveryHeader = request.headers[params.deliveryIdHeader];
        const deliveryId =
          typeof deliveryHeader === 'string' && deliveryHeader !== '' ? deliveryHeader : null;
        const sync = params.respond === 'node';
        const start = async () => {
          // A signed request is good once: a captured one replayed inside the window (without its
          // delivery id, or with a new one) would otherwise start the workflow again.
          if (signature !== undefined) await acceptSignatureOnce(workflowId, signature);
          return deps.executions.start({
            workspaceId,
            workflowId,
            version: target.version,
            input,
            trigger: { kind: 'webhook', path, deliveryId },
            entry: target.nodeId,
            correlationId: request.id,
            // Run here: the answer comes from this process's runner, with no claim or poll between.
            runHere: true,
            // Listening before it can answer: a response that comes before `wait` is kept.
            ...(sync
              ? {
                  onCreated: (execution) => {
                    expected = execution.id;
                    deps.responses.expect(execution.id);
                  },
                }
              : {}),
          });
        };
        let expected: string | undefined;
        let delivery: Delivery;
        try {
          delivery =
            deliveryId === null
              ? { duplicate: false as const, execution: await start() }
              : await startOnce(workflowId, deliveryId, start);
        } catch (error) {
          // Its start was not stored: nobody will answer, so nobody listens.
          if (expected !== undefined) deps.responses.forget(expected);
          throw error;
        }
        if (delivery.duplicate) {
          // A repeat starts nothing: it names the execution the first delivery started.
          return reply
            .status(sync ? 200 : 202)
            .header('location', executionLocation(delivery.executionId))
            .send({ executionId: delivery.executionId, duplicate: true });
        }
        const { execution } = delivery;
        if (!sync) {
          return reply
            .status(202)
            .header('location', executionLocation(execution.id))
            .send({ executionId: execution.id });
        }
        return answerFromWorkflow(deps, reply, execution, params.timeoutMs);
      },
    );
  };
}

/** Headers that carry the sender's credentials: never stored with the execution. */
const CREDENTIAL_HEADERS = new Set([
  'authorization',
  'proxy-authorization',
  'cookie',
  'x-api-key',
  'x-csrf-token',
]);

/** Lower-cased (as Node gives them), without the signature or credentials: a secret is not data. */
function headersOf(request: FastifyRequest, params: WebhookParams): Record<string, string | string[]> {
  const headers: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(request.headers)) {
    if (value !== undefined && name !== params.signature?.header && !CREDENTIAL_HEADERS.has(name)) {
      headers[name] = value;
    }
  }
  return headers;
}
