/**
 * @module `agent`: a model that works in steps — it answers, or calls tools whose results it reads
 * before its next step — until it answers without a tool call, calls the `finishTool`, or reaches
 * `maxSteps`. Every model call and tool call is a durable step: after a crash the agent resumes where
 * it was, repeating none that finished. Each step is an event.
 */
import { z } from 'zod';
import { SwitchyardError } from '../errors/switchyard-error.ts';
import type { LlmMessage, LlmResult, LlmTool } from '../llm/gateway/types.ts';
import { checkArguments } from './agent/check-arguments.ts';
import { runTool, type ToolOutcome } from './agent/run-tool.ts';
import { toolSpec } from './agent/tool-specs.ts';
import type { NodeContext } from './context.ts';
import { defineNode, taskShape } from './node-type.ts';

const memoryMessage = z.strictObject({
  role: z.enum(['user', 'assistant']),
  content: z.string(),
  seq: z.int().min(1).optional(),
});

export const agentParams = z
  .strictObject({
    model: z.string().min(1).max(128).optional(),
    route: z.string().min(1).max(128).optional(),
    fallbacks: z.array(z.string().min(1).max(128)).max(8).optional(),
    instructions: z
      .string()
      .max(100_000)
      .optional()
      .describe('The system prompt: who the agent is and how it works.'),
    prompt: z.string().max(1_000_000).describe('The task.'),
    tools: z.array(toolSpec).max(64).default([]),
    finishTool: z
      .strictObject({
        name: z
          .string()
          .regex(/^[A-Za-z_][A-Za-z0-9_-]{0,63}$/)
          .default('finish'),
        description: z.string().max(2000).default('Call this with the final result when the task is done.'),
        parameters: z.record(z.string(), z.unknown()).describe('JSON Schema of the result.'),
      })
      .optional()
      .describe(
        'A structured finish: the agent ends by calling it, and its checked arguments are the result.',
      ),
    maxSteps: z
      .int()
      .min(1)
      .max(50)
      .default(8)
      .describe('Model calls at most; reaching it fails the node (SY_AGENT_STEP_LIMIT).'),
    memory: z
      .strictObject({
        history: z
          .array(memoryMessage)
          .max(10_000)
          .describe('The conversation so far, oldest first — e.g. `{{ history }}` from a chat trigger.'),
        maxMessages: z
          .int()
          .min(1)
          .max(1000)
          .default(20)
          .describe('The window: the most recent messages kept.'),
        maxTokens: z
          .int()
          .min(100)
          .optional()
          .describe('And at most about this many tokens of them (4 characters a token).'),
        summarize: z
          .boolean()
          .default(false)
          .describe('Summarise what falls out of the window (one model call) instead of forgetting it.'),
        summary: z
          .strictObject({ text: z.string(), throughSeq: z.int().min(0) })
          .nullable()
          .optional()
          .describe("The conversation's running summary so far — `{{ summary }}` from a chat trigger."),
        earlier: z
          .array(memoryMessage)
          .max(10_000)
          .default([])
          .describe('Older messages the summary does not cover yet — `{{ earlier }}` from a chat trigger.'),
        conversationId: z
          .string()
          .min(1)
          .max(200)
          .optional()
          .describe('Where the new running summary is kept — `{{ conversationId }}` from a chat trigger.'),
      })
      .optional(),
    temperature: z.number().min(0).max(2).optional(),
    maxOutputTokens: z.int().min(1).max(1_000_000).optional(),
  })
  .refine((p) => p.model === undefined || p.route === undefined, {
    message: 'give `model` or `route`, not both',
  });

export const agentNode = defineNode({
  type: 'agent',
  title: 'Agent',
  description:
    'A model that calls tools (HTTP, workflows, code) in durable steps until it answers. Outputs ' +
    '{ text, result, steps, toolCalls, usage, costUsd }.',
  category: 'ai',
  params: agentParams,
  shape: taskShape(),
  run: async (ctx, { params }) => {
    const tools: LlmTool[] = params.tools.map(({ name, description, parameters }) => ({
      name,
      description,
      parameters,
    }));
    if (params.finishTool) tools.push(params.finishTool);
    const memory = params.memory ? await remember(ctx, params.memory, params) : [];
    const messages: LlmMessage[] = [
      ...(params.instructions ? [{ role: 'system' as const, content: params.instructions }] : []),
      ...memory,
      { role: 'user', content: params.prompt },
    ];
    const trace: { step: number; tool: string; isError: boolean }[] = [];
    const usage = { inputTokens: 0, outputTokens: 0 };
    let costUsd = 0;
    const me = `agent:${ctx.nodeId}`;
    const correlationId = ctx.idempotencyKey;
    const say = (id: string, from: string, to: string, type: string, payload: unknown) =>
      ctx.message({ id: `${correlationId}:${id}`, correlationId, from, to, type, payload });
    say('task', 'workflow', me, 'task', { prompt: params.prompt });

    for (let step = 1; step <= params.maxSteps; step++) {
      const answer: LlmResult = await ctx.step(`model:${step}`, () =>
        ctx.llm.generate(
          {
            messages,
            ...(params.model === undefined ? {} : { model: params.model }),
            ...(params.route === undefined ? {} : { route: params.route }),
            ...(params.fallbacks === undefined ? {} : { fallbacks: params.fallbacks }),
            ...(params.temperature === undefined ? {} : { temperature: params.temperature }),
            ...(params.maxOutputTokens === undefined ? {} : { maxOutputTokens: params.maxOutputTokens }),
            ...(tools.length > 0 ? { tools } : {}),
            cache: 'off',
          },
          { onDecision: (decision) => ctx.emit({ message: decision.type, data: { step, decision } }) },
        ),
      );
      say(
        `answer:${step}`,
        `model:${answer.model}`,
        me,
        answer.toolCalls.length > 0 ? 'tool-calls' : 'answer',
        {
          text: answer.text,
          toolCalls: answer.toolCalls,
        },
      );
      usage.inputTokens += answer.usage.inputTokens;
      usage.outputTokens += answer.usage.outputTokens;
      costUsd += answer.costUsd;
      ctx.emit({
        message: `step ${step}`,
        data: {
          step,
          text: answer.text,
          toolCalls: answer.toolCalls.map((call) => ({ name: call.name, input: call.input })),
        },
      });
      const summary = () => ({
        steps: step,
        toolCalls: trace,
        usage,
        costUsd: Math.round(costUsd * 1e6) / 1e6,
        model: answer.model,
      });
      if (answer.toolCalls.length === 0) {
        say('result', me, 'workflow', 'result', { text: answer.text });
        return { out: { text: answer.text, result: null, ...summary() } };
      }

      messages.push({ role: 'assistant', content: answer.text, toolCalls: answer.toolCalls });
      for (const call of answer.toolCalls) {
        if (params.finishTool && call.name === params.finishTool.name) {
          const finished = await checkFinish(params.finishTool, call.input);
          if (!finished.isError) {
            say('result', me, 'workflow', 'result', { result: call.input });
            return { out: { text: answer.text, result: call.input, ...summary() } };
          }
          messages.push({
            role: 'tool',
            toolCallId: call.id,
            toolName: call.name,
            content: finished.content,
            isError: true,
          });
          trace.push({ step, tool: call.name, isError: true });
          continue;
        }
        say(`call:${step}:${call.id}`, me, `tool:${call.name}`, 'tool-call', { arguments: call.input });
        const outcome = await ctx.step(`tool:${step}:${call.id}`, () =>
          runTool(ctx, params.tools, call, `${ctx.idempotencyKey}:${step}:${call.id}`),
        );
        say(`result:${step}:${call.id}`, `tool:${call.name}`, me, 'tool-result', outcome);
        messages.push({
          role: 'tool',
          toolCallId: call.id,
          toolName: call.name,
          content: outcome.content,
          isError: outcome.isError,
        });
        trace.push({ step, tool: call.name, isError: outcome.isError });
      }
    }
    throw new SwitchyardError(
      'SY_AGENT_STEP_LIMIT',
      `the agent did not finish within ${params.maxSteps} steps`,
      {
        details: { toolCalls: trace },
      },
    );
  },
});

type AgentParams = z.output<typeof agentParams>;

/**
 * The conversation window: the latest messages that fit the message and token limits. With
 * `summarize`, what is older — the messages dropped from the window and the `earlier` ones the
 * running summary does not cover yet — is folded into that summary by the model (a durable step),
 * which is kept with the conversation when its id is given; without it, older messages are forgotten.
 */
async function remember(
  ctx: NodeContext,
  memory: NonNullable<AgentParams['memory']>,
  params: AgentParams,
): Promise<LlmMessage[]> {
  const kept = memory.history.slice(-memory.maxMessages);
  if (memory.maxTokens !== undefined) {
    let tokens = kept.reduce((sum, message) => sum + Math.ceil(message.content.length / 4), 0);
    while (kept.length > 0 && tokens > memory.maxTokens)
      tokens -= Math.ceil(kept.shift()!.content.length / 4);
  }
  const window: LlmMessage[] = kept.map((message) => ({ role: message.role, content: message.content }));
  if (!memory.summarize) return window;
  const covered = memory.summary?.throughSeq ?? 0;
  const unsummarised = [
    ...memory.earlier,
    ...memory.history.slice(0, memory.history.length - kept.length),
  ].filter((message) => message.seq === undefined || message.seq > covered);
  let text = memory.summary?.text;
  if (unsummarised.length > 0) {
    const transcript = unsummarised.map((message) => `${message.role}: ${message.content}`).join('\n');
    const answer = await ctx.step('memory:summary', () =>
      ctx.llm.generate({
        messages: [
          {
            role: 'system',
            content: 'Summarise this conversation in a few sentences: facts, decisions, open questions.',
          },
          {
            role: 'user',
            content: text === undefined ? transcript : `Summary so far: ${text}\n${transcript}`,
          },
        ],
        ...(params.model === undefined ? {} : { model: params.model }),
        ...(params.route === undefined ? {} : { route: params.route }),
        cache: 'auto',
        temperature: 0,
      }),
    );
    text = answer.text;
    const throughSeq = Math.max(covered, ...unsummarised.map((message) => message.seq ?? 0));
    if (memory.conversationId !== undefined && throughSeq > covered) {
      await ctx.step('memory:save', async () => {
        await ctx.saveConversationSummary(memory.conversationId!, { text: answer.text, throughSeq });
        return true;
      });
    }
  }
  return text === undefined
    ? window
    : [{ role: 'system', content: `Earlier in this conversation: ${text}` }, ...window];
}

async function checkFinish(
  finish: { name: string; parameters: Record<string, unknown> },
  input: unknown,
): Promise<ToolOutcome> {
  try {
    await checkArguments(finish.name, finish.parameters, input);
    return { content: '', isError: false };
  } catch (error) {
    return { content: error instanceof Error ? error.message : String(error), isError: true };
  }
}
