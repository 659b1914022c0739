/**
 * @module The OpenAI-compatible endpoint: `/v1/chat/completions` (streaming included),
 * `/v1/embeddings` and `/v1/models`, authenticated by Switchyard API keys, with routing, fallbacks,
 * cache, ledger and budgets applied as for any call. Errors carry OpenAI's `error` object beside
 * the problem fields, so OpenAI clients report them properly. A stream that has begun and then
 * fails ends with an error event, never with a normal finish.
 */
import { randomUUID } from 'node:crypto';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { SwitchyardError, toErrorData } from '../../errors/switchyard-error.ts';
import type { LlmGateway } from '../../llm/gateway/llm-gateway.ts';
import type { LlmMessage, LlmRequest } from '../../llm/gateway/types.ts';
import { principalOf } from '../auth/request-principal.ts';
import type { ServerDeps } from '../deps.ts';
import { problemForError, sendProblem } from '../problem.ts';
import { chunkOf, completionOf, finishReasonOf, toolCallDeltas, usageOf } from './openai-answers.ts';
import { type ChatCompletionBody, chatCompletionBody, embeddingsBody } from './openai-schemas.ts';

const tags = ['openai-compatible'];

export function openAiRoutes(deps: ServerDeps): FastifyPluginAsyncZod {
  const gateway = (): LlmGateway => {
    if (!deps.llm) {
      throw new SwitchyardError('SY_LLM_UNAVAILABLE', 'the LLM gateway is not configured on this server', {
        retryable: false,
      });
    }
    return deps.llm;
  };

  return async (app) => {
    app.setErrorHandler((error, request, reply) => {
      const problem = problemForError(error, request);
      if (problem.status >= 500) request.log.error({ err: error }, 'gateway request failed');
      return sendProblem(reply, {
        ...problem,
        error: {
          message: problem.detail,
          type: problem.code,
          code: problem.code,
          param: problem.path ?? null,
        },
      } as typeof problem);
    });

    app.get(
      '/models',
      { schema: { operationId: 'listModels', summary: 'The configured models (OpenAI format).', tags } },
      async () => ({
        object: 'list',
        data: (deps.llm?.models ?? []).map((model) => ({
          id: model.id,
          object: 'model',
          created: 0,
          owned_by: model.provider,
        })),
      }),
    );

    app.post(
      '/embeddings',
      {
        schema: {
          operationId: 'createEmbeddings',
          summary: 'Embeddings (OpenAI format).',
          tags,
          body: embeddingsBody,
        },
      },
      async (request) => {
        const principal = principalOf(request);
        const input = typeof request.body.input === 'string' ? [request.body.input] : request.body.input;
        const result = await gateway().embed(
          { model: request.body.model, input },
          { workspaceId: principal.workspaceId },
        );
        return {
          object: 'list',
          data: result.embeddings.map((embedding, index) => ({
            object: 'embedding',
            index,
            // base64: the vector's little-endian float32 bytes, as OpenAI sends it (its client's default).
            embedding:
              request.body.encoding_format === 'base64'
                ? Buffer.from(new Float32Array(embedding).buffer).toString('base64')
                : embedding,
          })),
          model: result.model,
          usage: { prompt_tokens: result.usage.inputTokens, total_tokens: result.usage.inputTokens },
        };
      },
    );

    app.post(
      '/chat/completions',
      {
        schema: {
          operationId: 'createChatCompletion',
          summary:
            'Chat completions (OpenAI format), streaming included, through routing, fallbacks, cache and budgets.',
          tags,
          body: chatCompletionBody,
        },
      },
      async (request, reply) => {
        const principal = principalOf(request);
        const llm = gateway();
        const body = request.body;
        const llmRequest = toLlmRequest(body, llm);
        const id = `chatcmpl-${randomUUID().replaceAll('-', '')}`;
        const created = Math.floor(Date.now() / 1000);
        const abort = new AbortController();
        // The response's close, not the request's: a request closes as soon as its body is read.
        reply.raw.once('close', () => {
          if (!reply.raw.writableFinished) abort.abort(new Error('the client went away'));
        });
        const context = { workspaceId: principal.workspaceId, signal: abort.signal };

        if (!body.stream) {
          const result = await llm.generate(llmRequest, context);
          reply.header('x-switchyard-model', `${result.provider}/${result.model}`);
          reply.header('x-switchyard-cache', result.cached ? 'hit' : 'miss');
          reply.header('x-switchyard-cost-usd', String(result.costUsd));
          return completionOf(id, created, result);
        }

        // Headers go out with the first token, so that a refusal before it is still a proper HTTP error.
        let modelName = body.model;
        let started = false;
        // The deltas parsed from one upstream read go out in one write: a write's chunk framing and
        // its system call cost more than a delta. The first token is the exception (below).
        let queued = '';
        let firstTokenSent = false;
        const flush = () => {
          if (queued === '') return;
          reply.raw.write(queued);
          queued = '';
        };
        const send = (payload: unknown) => {
          if (queued === '') process.nextTick(flush);
          queued += `data: ${JSON.stringify(payload)}\n\n`;
        };
        const end = () => {
          flush();
          reply.raw.end();
        };
        const start = () => {
          if (started) return;
          started = true;
          reply.hijack();
          reply.raw.writeHead(200, {
            'content-type': 'text/event-stream; charset=utf-8',
            'cache-control': 'no-cache',
            connection: 'keep-alive',
            'x-correlation-id': request.id,
          });
          send(chunkOf(id, created, modelName, { role: 'assistant', content: '' }, null));
        };
        try {
          const result = await llm.generate(llmRequest, {
            ...context,
            deltasAreFinal: true,
            onDelta: (text) => {
              start();
              send(chunkOf(id, created, modelName, { content: text }, null));
              // Out at once: the rest of a burst parsed from the same upstream read (the whole answer,
              // from a fast upstream) would otherwise hold it back until all of it was processed.
              if (!firstTokenSent) {
                firstTokenSent = true;
                flush();
                // Node corks a response's socket until the next tick; that tick is after the burst.
                reply.raw.socket?.uncork();
              }
            },
          });
          modelName = result.model;
          start();
          if (result.toolCalls.length > 0) {
            send(chunkOf(id, created, modelName, { tool_calls: toolCallDeltas(result.toolCalls) }, null));
          }
          send(chunkOf(id, created, modelName, {}, finishReasonOf(result)));
          if (body.stream_options?.include_usage) {
            send({
              id,
              object: 'chat.completion.chunk',
              created,
              model: modelName,
              choices: [],
              usage: usageOf(result),
            });
          }
          queued += 'data: [DONE]\n\n';
          end();
        } catch (error) {
          if (!started) throw error;
          const data = toErrorData(error);
          request.log.warn({ err: error }, 'a streamed completion failed after it began');
          send({ error: { message: data.message, type: data.code, code: data.code, param: null } });
          end();
        }
        return reply;
      },
    );
  };
}

const textOf = (content: string | readonly { readonly text: string }[] | null | undefined): string =>
  content == null ? '' : typeof content === 'string' ? content : content.map((part) => part.text).join('');

/** OpenAI turns as ours: tool calls with parsed arguments, tool results named after their call. */
function toLlmMessages(messages: ChatCompletionBody['messages']): LlmMessage[] {
  const toolNames = new Map<string, string>();
  return messages.map((message): LlmMessage => {
    switch (message.role) {
      case 'assistant': {
        const toolCalls = (message.tool_calls ?? []).map((call) => {
          toolNames.set(call.id, call.function.name);
          return {
            id: call.id,
            name: call.function.name,
            input: parseArguments(call.function.arguments, call.id),
          };
        });
        return {
          role: 'assistant',
          content: textOf(message.content),
          ...(toolCalls.length > 0 ? { toolCalls } : {}),
        };
      }
      case 'tool':
        return {
          role: 'tool',
          toolCallId: message.tool_call_id,
          toolName: toolNames.get(message.tool_call_id) ?? 'tool',
          content: textOf(message.content),
        };
      default:
        return {
          role: message.role === 'developer' ? 'system' : message.role,
          content: textOf(message.content),
        };
    }
  });
}

function parseArguments(text: string, callId: string): unknown {
  try {
    return JSON.parse(text || '{}');
  } catch {
    throw new SwitchyardError('SY_HTTP_VALIDATION', `the arguments of tool call "${callId}" are not JSON`, {
      path: 'body.messages',
    });
  }
}

function toLlmRequest(body: ChatCompletionBody, llm: LlmGateway): LlmRequest {
  const isModel = llm.models.some((model) => model.id === body.model);
  const schema =
    body.response_format?.type === 'json_schema'
      ? body.response_format.json_schema.schema
      : body.response_format?.type === 'json_object'
        ? { type: 'object' }
        : undefined;
  const stop = body.stop === undefined ? undefined : typeof body.stop === 'string' ? [body.stop] : body.stop;
  const maxOutputTokens = body.max_completion_tokens ?? body.max_tokens;
  return {
    ...(isModel ? { model: body.model } : { route: body.model }),
    messages: toLlmMessages(body.messages),
    ...(body.temperature === undefined ? {} : { temperature: body.temperature }),
    ...(body.top_p === undefined ? {} : { topP: body.top_p }),
    ...(maxOutputTokens === undefined ? {} : { maxOutputTokens }),
    ...(stop === undefined ? {} : { stop }),
    ...(body.tools
      ? {
          tools: body.tools.map((entry) => ({
            name: entry.function.name,
            description: entry.function.description,
            parameters: entry.function.parameters ?? { type: 'object', properties: {} },
          })),
        }
      : {}),
    ...(schema ? { responseSchema: schema } : {}),
  };
}
