/**
 * @module One attempt at one model, through the provider's model object (model-call-options.ts
 * says why not through `generateText`). When a client watches the text arrive, the answer is
 * streamed, so that the first-token, idle and total timeouts apply; otherwise it is one plain call
 * under the total timeout. The answer counts only if the model said it finished; an answer that
 * ends or breaks without its finish is a failure (retried whole by the chain), never a truncated
 * success.
 */
import { SwitchyardError } from '../../errors/switchyard-error.ts';
import { parseJsonSafely } from '../../json/safe-parse.ts';
import type { ProviderModel } from '../providers/model-factory.ts';
import { ProviderFailure } from '../reliability/retry-policy.ts';
import { withStreamTimeouts } from '../reliability/timeouts.ts';
import { callOptionsOf } from './model-call-options.ts';
import { structuredOutput } from './structured-output.ts';
import type { LlmMessage, LlmRequest, LlmToolCall, LlmUsage } from './types.ts';

export interface Timeouts {
  readonly firstTokenMs: number;
  readonly idleMs: number;
  readonly totalMs: number;
}

export interface Attempt {
  readonly text: string;
  readonly toolCalls: readonly LlmToolCall[];
  readonly object?: unknown;
  readonly finishReason: string;
  readonly usage: LlmUsage;
}

interface CallModelOptions {
  readonly model: ProviderModel;
  readonly request: LlmRequest;
  readonly messages: readonly LlmMessage[];
  readonly maxOutputTokens: number;
  readonly timeouts: Timeouts;
  readonly signal: AbortSignal;
  readonly onDelta?: (text: string) => void;
}

type Generated = Awaited<ReturnType<ProviderModel['doGenerate']>>;
type ToolCallPart = Extract<Generated['content'][number], { type: 'tool-call' }>;

const COMPLETE = new Set(['stop', 'length', 'tool-calls', 'content-filter']);

export async function callModel(options: CallModelOptions): Promise<Attempt> {
  // Our own controller, tied to the caller's signal by a listener removed afterwards: cheaper per
  // call than AbortSignal.any, and the timeouts abort the upstream request through it.
  const abort = new AbortController();
  const cancel = () => abort.abort(options.signal.reason);
  options.signal.throwIfAborted();
  options.signal.addEventListener('abort', cancel, { once: true });
  try {
    return options.onDelta ? await streamed(options, options.onDelta, abort) : await plain(options, abort);
  } finally {
    options.signal.removeEventListener('abort', cancel);
  }
}

/** Nobody watches the text arrive: one plain answer is cheaper than a stream; the total timeout still holds. */
async function plain(options: CallModelOptions, abort: AbortController): Promise<Attempt> {
  const { totalMs } = options.timeouts;
  // A timer cleared when the call settles: AbortSignal.timeout would keep one alive for totalMs
  // after every call, hundreds of thousands of them under load.
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    abort.abort(new DOMException(`no answer within ${totalMs} ms`, 'TimeoutError'));
  }, totalMs);
  try {
    const answer = await options.model.doGenerate(
      callOptionsOf(options.request, options.messages, options.maxOutputTokens, abort.signal),
    );
    let text = '';
    const toolCalls: LlmToolCall[] = [];
    for (const part of answer.content) {
      if (part.type === 'text') text += part.text;
      else if (part.type === 'tool-call') toolCalls.push(toolCallOf(part));
    }
    return await finished(options.request, {
      text,
      toolCalls,
      finishReason: answer.finishReason,
      usage: answer.usage,
    });
  } catch (error) {
    if (timedOut && !options.signal.aborted) {
      throw new SwitchyardError('SY_LLM_TIMEOUT', `no answer within ${totalMs} ms`, { cause: error });
    }
    throw asRequestError(error) ?? error;
  } finally {
    clearTimeout(timer);
  }
}

async function streamed(
  options: CallModelOptions,
  onDelta: (text: string) => void,
  abort: AbortController,
): Promise<Attempt> {
  const { model } = options;
  const callOptions = callOptionsOf(options.request, options.messages, options.maxOutputTokens, abort.signal);
  // The request is made inside the timeouts: the first-token limit covers connecting and the headers too.
  async function* source() {
    yield* (await model.doStream(callOptions)).stream;
  }
  const parts = withStreamTimeouts(source(), {
    firstChunkMs: options.timeouts.firstTokenMs,
    idleMs: options.timeouts.idleMs,
    totalMs: options.timeouts.totalMs,
    signal: options.signal,
    onAbort: (reason) => abort.abort(reason),
  });
  let text = '';
  const toolCalls: LlmToolCall[] = [];
  let finish: Pick<Generated, 'finishReason' | 'usage'> | undefined;
  try {
    for await (const part of parts) {
      switch (part.type) {
        case 'text-delta':
          if (part.delta === '') break;
          text += part.delta;
          onDelta(part.delta);
          break;
        case 'tool-call':
          toolCalls.push(toolCallOf(part));
          break;
        case 'error':
          throw part.error;
        case 'finish':
          finish = { finishReason: part.finishReason, usage: part.usage };
          break;
        default:
          break;
      }
    }
  } catch (error) {
    throw asRequestError(error) ?? error;
  }
  return await finished(options.request, { text, toolCalls, ...finish });
}

/** The attempt, if the model said it finished; its object parsed and checked when a schema was asked for. */
async function finished(
  request: LlmRequest,
  answer: {
    readonly text: string;
    readonly toolCalls: readonly LlmToolCall[];
    readonly finishReason?: Generated['finishReason'];
    readonly usage?: Generated['usage'];
  },
): Promise<Attempt> {
  const { text, toolCalls, usage } = answer;
  const finishReason = answer.finishReason?.unified;
  if (finishReason === undefined || !COMPLETE.has(finishReason)) {
    throw new ProviderFailure({
      kind: 'stream-broken',
      message: `the answer ended without finishing (${finishReason ?? 'no finish'}) after ${text.length} characters`,
    });
  }
  return {
    text,
    toolCalls,
    ...(request.responseSchema ? { object: await structuredOutput(text, request.responseSchema) } : {}),
    finishReason,
    usage: {
      inputTokens: usage?.inputTokens.total ?? 0,
      outputTokens: usage?.outputTokens.total ?? 0,
      cachedInputTokens: usage?.inputTokens.cacheRead ?? 0,
    },
  };
}

/** A tool call with its input parsed; input that is not JSON is passed on as the text it is. */
function toolCallOf(part: ToolCallPart): LlmToolCall {
  let input: unknown = part.input;
  if (part.input.trim() === '') input = {};
  else {
    try {
      input = parseJsonSafely(part.input);
    } catch {
      // kept as text: the caller sees what the model sent
    }
  }
  return { id: part.toolCallId, name: part.toolName, input };
}

/** The SDK's refusals of a malformed prompt or argument: the request's fault, no model can help. */
function asRequestError(error: unknown): SwitchyardError | undefined {
  if (!(error instanceof Error) || !/^AI_Invalid(Prompt|Argument)Error$/.test(error.name)) return undefined;
  return new SwitchyardError('SY_LLM_REQUEST_INVALID', error.message, { cause: error });
}
