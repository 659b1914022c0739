/**
 * @module /api/v1/executions/{id}/messages: the agent trace of an execution — the typed messages its
 * agents, models and tools exchanged, in order, each once (a step replayed on resume re-sends its
 * message with the same id).
 */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { SwitchyardError } from '../errors/switchyard-error.ts';
import type { AgentMessage } from '../nodes/context.ts';
import { idParams, isoOf, problemAnswers } from './common-schemas.ts';
import type { ServerDeps } from './deps.ts';
import { workspaceOf } from './workspace.ts';

const MAX_EVENTS = 50_000;
const PAGE = 1_000;

const messageSchema = z
  .object({
    id: z.string(),
    correlationId: z.string(),
    from: z.string(),
    to: z.string(),
    type: z.string(),
    payload: z.unknown(),
    nodeId: z.string(),
    at: z.iso.datetime(),
  })
  .meta({ id: 'AgentMessage' });

export function agentMessageRoutes(deps: ServerDeps): FastifyPluginAsyncZod {
  return async (app) => {
    app.get(
      '/executions/:id/messages',
      {
        schema: {
          operationId: 'listAgentMessages',
          summary: "The agent trace: messages between the execution's agents, models and tools, in order.",
          tags: ['executions'],
          params: idParams,
          response: { 200: z.object({ items: z.array(messageSchema) }), ...problemAnswers },
        },
      },
      async (request) => {
        const execution = await deps.store.executions.get(workspaceOf(request), request.params.id);
        if (!execution)
          throw new SwitchyardError('SY_EXECUTION_NOT_FOUND', `no execution "${request.params.id}"`);
        const seen = new Set<string>();
        const items: z.output<typeof messageSchema>[] = [];
        for (let after = 0; after < MAX_EVENTS; ) {
          const events = await deps.store.events.list(execution.id, after, PAGE);
          for (const event of events) {
            const payload = event.payload as { nodeId?: string; message?: AgentMessage };
            if (event.type !== 'agent.message' || !payload.message || seen.has(payload.message.id)) continue;
            seen.add(payload.message.id);
            const { at, ...message } = payload.message;
            items.push({ ...message, nodeId: payload.nodeId ?? '', at: isoOf(at) });
          }
          if (events.length < PAGE) break;
          after = events.at(-1)!.seq;
        }
        return { items };
      },
    );
  };
}
