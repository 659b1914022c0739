/**
 * @module The gateway: every model call goes through here. It routes (a model, a route's chain or
 * its rules), redacts PII when asked, checks budgets before the call, answers from the cache when
 * it may, runs the fallback chain (retries, breakers, fallbacks, the cached answer as last resort),
 * and writes one ledger row per call — succeeded or failed — with tokens, latency and cost.
 */
import { SwitchyardError, toErrorData } from '../../errors/switchyard-error.ts';
import type { CacheRepository, LlmCall } from '../../store/llm-ports.ts';
import type { Store } from '../../store/ports.ts';
import { type CachedAnswer, ResponseCache } from '../cache/response-cache.ts';
import type { LlmConfig, ModelConfig } from '../config/llm-config.ts';
import { costUsd } from '../cost/cost.ts';
import type { ModelPrice, PriceTable } from '../cost/prices.ts';
import { countPromptTokens, promptTokensAtMost } from '../cost/tokens.ts';
import { compilePiiRedactor, type PiiKind, redactMessages } from '../privacy/redact.ts';
import type { ModelFactory } from '../providers/model-factory.ts';
import { BreakerRegistry, breakerKey } from '../reliability/circuit-breaker.ts';
import { type Candidate, type Decision, runChain, sleep } from '../reliability/fallback-chain.ts';
import { routeRequest } from '../router.ts';
import { reserveBudget } from './budget-guard.ts';
import { type Attempt, callModel } from './call-model.ts';
import { KnownBudgets } from './known-budgets.ts';
import { type CallFields, LedgerWriter } from './ledger-writer.ts';
import type { LlmCallContext, LlmMessage, LlmRequest, LlmResult, LlmUsage } from './types.ts';

export interface GatewayOptions {
  readonly config: LlmConfig;
  readonly store: Store;
  readonly models: ModelFactory;
  readonly prices: PriceTable;
  readonly now: () => number;
  readonly random: () => number;
  /** The cache's durable tier: Redis when configured; the store's table otherwise. */
  readonly cacheStore?: CacheRepository;
  /** Told of ledger rows that could not be written after their call had answered; stderr when absent. */
  readonly onLedgerLost?: (error: unknown, call: LlmCall) => void;
}

export interface EmbeddingResult {
  readonly embeddings: number[][];
  readonly usage: { readonly inputTokens: number };
  readonly costUsd: number;
  readonly provider: string;
  readonly model: string;
}

const NO_USAGE: LlmUsage = { inputTokens: 0, outputTokens: 0, cachedInputTokens: 0 };

export class LlmGateway {
  readonly breakers: BreakerRegistry;
  private readonly options: GatewayOptions;
  private readonly cache: ResponseCache;
  private readonly redactors = new Map<string, ReturnType<typeof compilePiiRedactor>>();
  private readonly budgets: KnownBudgets;
  private readonly ledger: LedgerWriter;

  constructor(options: GatewayOptions) {
    this.options = options;
    this.breakers = new BreakerRegistry({ ...options.config.breaker, now: options.now });
    this.budgets = new KnownBudgets(options.store.budgets, options.now);
    this.ledger = new LedgerWriter(options.store, options.onLedgerLost);
    this.cache = new ResponseCache({
      store: options.cacheStore ?? options.store.llmCache,
      memoryEntries: options.config.cache.memoryEntries,
      ttlMs: options.config.cache.ttlSeconds * 1000,
      now: options.now,
    });
  }

  get models(): readonly ModelConfig[] {
    return this.options.config.models;
  }

  async generate(request: LlmRequest, context: LlmCallContext): Promise<LlmResult> {
    const { store, now, config } = this.options;
    const started = now();
    const signal = context.signal ?? new AbortController().signal;
    const piiIn = request.pii?.input?.length ? this.redactor(request.pii.input) : undefined;
    const messages = piiIn ? redactMessages(request.messages, piiIn).messages : [...request.messages];
    const routing = routeRequest(
      {
        ...request,
        promptTokens: () => countPromptTokens(messages, request.model ?? 'gpt-4o').tokens,
        promptTokensAtMost: () => promptTokensAtMost(messages),
        private: request.private ?? false,
      },
      config,
      (model) => this.priceOf(model)?.inputPerMTok,
      (model) => this.breakers.get(breakerKey(candidateOf(model))).state() === 'open',
    );
    const maxOutputOf = (model: ModelConfig) =>
      Math.min(request.maxOutputTokens ?? model.maxOutputTokens, model.maxOutputTokens);
    const record = (fields: CallFields, reservationId?: string) =>
      this.ledger.record(context, started, now(), { route: routing.route, ...fields }, reservationId);

    const cacheKey = ResponseCache.cacheable(request)
      ? this.cache.keyOf(context.workspaceId, request)
      : undefined;
    if (cacheKey !== undefined) {
      const hit = await this.cache.get(cacheKey);
      if (hit) {
        await record({ provider: hit.provider, model: hit.model, cacheHit: true });
        const decision: Decision = { type: 'cache-hit' };
        context.onDecision?.(decision);
        return this.fromCache(hit, routing, started, [decision]);
      }
    }

    // The estimate counts the prompt with each candidate's tokenizer: only worth it when a budget applies.
    const reservationId = (await this.budgets.any(context.workspaceId))
      ? await reserveBudget(store.budgets, {
          workspaceId: context.workspaceId,
          workflowId: context.workflowId ?? null,
          maxCostUsd: Math.max(
            0,
            ...routing.candidates.map((model) =>
              this.maxCostOf(model, messages, maxOutputOf(model), request),
            ),
          ),
          now: started,
        })
      : undefined;

    const byCandidate = new Map(routing.candidates.map((model) => [breakerKey(candidateOf(model)), model]));
    // The caller's signal, or a broken stream, ends the chain; a listener removed at the end links
    // them, as AbortSignal.any costs ten times more per call.
    const chainAbort = new AbortController();
    const cancel = () => chainAbort.abort(signal.reason);
    if (signal.aborted) cancel();
    else signal.addEventListener('abort', cancel, { once: true });
    let forwarded = false;
    const onDelta =
      context.onDelta &&
      ((text: string) => {
        forwarded = true;
        context.onDelta?.(text);
      });
    const decisions: Decision[] = [];
    try {
      const chained = await runChain<Attempt & { readonly candidate: ModelConfig }>({
        candidates: routing.candidates.map(candidateOf),
        breakers: this.breakers,
        retry: config.retry,
        call: async (candidate, _attempt, attemptSignal) => {
          const model = byCandidate.get(breakerKey(candidate))!;
          try {
            const answer = await callModel({
              model: await this.options.models.language(model),
              request,
              messages,
              maxOutputTokens: maxOutputOf(model),
              timeouts: config.timeouts,
              signal: attemptSignal,
              ...(onDelta ? { onDelta } : {}),
            });
            return { ...answer, candidate: model };
          } catch (error) {
            if (forwarded && context.deltasAreFinal) {
              chainAbort.abort(
                new SwitchyardError(
                  'SY_LLM_STREAM_BROKEN',
                  'the answer broke off after it began streaming to the client',
                  {
                    cause: error,
                    retryable: false,
                    details: { provider: model.provider, model: model.id },
                  },
                ),
              );
            }
            throw error;
          }
        },
        ...(cacheKey === undefined
          ? {}
          : {
              lastResort: async () => {
                const hit = await this.cache.get(cacheKey);
                return hit && { ...attemptOf(hit), candidate: this.options.models.model(hit.model) };
              },
            }),
        onDecision: (decision) => {
          decisions.push(decision);
          context.onDecision?.(decision);
        },
        sleep,
        random: this.options.random,
        signal: chainAbort.signal,
        now,
      });
      const answer = chained.value;
      const fromCache = chained.candidate === 'cache';
      const price = this.priceOf(answer.candidate);
      const cost = fromCache || !price ? 0 : costUsd(price, answer.usage);
      const piiOut = request.pii?.output?.length ? this.redactor(request.pii.output) : undefined;
      const text = piiOut ? piiOut(answer.text).text : answer.text;
      await record(
        {
          provider: answer.candidate.provider,
          model: answer.candidate.id,
          ...(fromCache ? { cacheHit: true } : answer.usage),
          costMicros: Math.round(cost * 1e6),
        },
        reservationId,
      );
      if (cacheKey !== undefined && !fromCache) {
        await this.cache.put(cacheKey, context.workspaceId, {
          text: answer.text,
          toolCalls: answer.toolCalls,
          ...(answer.object === undefined ? {} : { object: answer.object }),
          finishReason: answer.finishReason,
          provider: answer.candidate.provider,
          model: answer.candidate.id,
        });
      }
      return {
        text,
        toolCalls: answer.toolCalls,
        ...(answer.object === undefined ? {} : { object: answer.object }),
        finishReason: answer.finishReason,
        usage: fromCache ? NO_USAGE : answer.usage,
        costUsd: cost,
        provider: answer.candidate.provider,
        model: answer.candidate.id,
        route: routing.route,
        routeReason: routing.reason,
        cached: fromCache,
        decisions,
        latencyMs: now() - started,
      };
    } catch (error) {
      const first = routing.candidates[0]!;
      await record(
        { provider: first.provider, model: first.id, status: 'failed', errorCode: toErrorData(error).code },
        reservationId,
      );
      throw error;
    } finally {
      signal.removeEventListener('abort', cancel);
    }
  }

  async embed(
    request: { readonly model: string; readonly input: readonly string[] },
    context: LlmCallContext,
  ): Promise<EmbeddingResult> {
    const { now } = this.options;
    const started = now();
    const model = this.options.models.model(request.model);
    if (!model.embedding) {
      throw new SwitchyardError('SY_LLM_REQUEST_INVALID', `model "${model.id}" is not an embedding model`);
    }
    const { embedMany } = await import('ai');
    const result = await embedMany({
      model: await this.options.models.embedding(model),
      values: [...request.input],
      maxRetries: 2,
      ...(context.signal ? { abortSignal: context.signal } : {}),
    });
    const inputTokens = result.usage.tokens ?? 0;
    const price = this.priceOf(model);
    const cost = price ? costUsd(price, { inputTokens, outputTokens: 0 }) : 0;
    await this.ledger.record(context, started, now(), {
      provider: model.provider,
      model: model.id,
      inputTokens,
      costMicros: Math.round(cost * 1e6),
    });
    return {
      embeddings: result.embeddings,
      usage: { inputTokens },
      costUsd: cost,
      provider: model.provider,
      model: model.id,
    };
  }

  /** Loads what the configured models need, ahead of the first call (see ModelFactory.warm). */
  warm(): Promise<void> {
    return this.options.models.warm();
  }

  /** Resolves once every call that has answered so far is in the ledger (or reported lost). */
  ledgerWritten(): Promise<void> {
    return this.ledger.written();
  }

  /** Waits for the ledger rows of calls that have answered: before the store closes. */
  close(): Promise<void> {
    return this.ledgerWritten();
  }

  /** Forget what is cached about a workspace's budgets (call after setting or deleting one). */
  budgetsChanged(workspaceId: string): void {
    this.budgets.changed(workspaceId);
  }

  private priceOf(model: ModelConfig): ModelPrice | undefined {
    if (!model.price) return this.options.prices.priceOf(model.model ?? model.id);
    const { inputPerMTok, outputPerMTok, cachedInputPerMTok } = model.price;
    return {
      inputPerMTok,
      outputPerMTok,
      ...(cachedInputPerMTok === undefined ? {} : { cachedInputPerMTok }),
    };
  }

  /** The most a call to `model` can cost: the prompt counted with its tokenizer, and the whole output cap. */
  private maxCostOf(
    model: ModelConfig,
    messages: readonly LlmMessage[],
    maxOutputTokens: number,
    request: LlmRequest,
  ): number {
    const price = this.priceOf(model);
    if (!price) return 0;
    const prompt = countPromptTokens(messages, model.model ?? model.id, request.tools);
    return costUsd(price, { inputTokens: prompt.tokens, outputTokens: maxOutputTokens });
  }

  private redactor(kinds: readonly PiiKind[]) {
    const key = [...kinds].sort().join(',');
    let redactor = this.redactors.get(key);
    if (!redactor) {
      redactor = compilePiiRedactor({ kinds });
      this.redactors.set(key, redactor);
    }
    return redactor;
  }

  private fromCache(
    hit: CachedAnswer,
    routing: { readonly route: string | null; readonly reason: string },
    started: number,
    decisions: Decision[],
  ): LlmResult {
    return {
      ...attemptOf(hit),
      costUsd: 0,
      provider: hit.provider,
      model: hit.model,
      route: routing.route,
      routeReason: routing.reason,
      cached: true,
      decisions,
      latencyMs: this.options.now() - started,
    };
  }
}

function candidateOf(model: ModelConfig): Candidate {
  return { provider: model.provider, model: model.id };
}

function attemptOf(hit: CachedAnswer): Attempt {
  return {
    text: hit.text,
    toolCalls: hit.toolCalls,
    ...(hit.object === undefined ? {} : { object: hit.object }),
    finishReason: hit.finishReason,
    usage: NO_USAGE,
  };
}
