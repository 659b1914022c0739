/**
 * @module Which models may answer a request, in the order to try them: a named model (with its
 * fallbacks), a route's explicit chain, or a route's rules — the capable models (task class,
 * context length, privacy: private data only to local models, price cap), cheapest first, with
 * models whose circuit is open moved to the end. The choice comes with its reason, for the record.
 */
import { SwitchyardError } from '../errors/switchyard-error.ts';
import type { LlmConfig, ModelConfig } from './config/llm-config.ts';

export interface RouteRequest {
  readonly model?: string;
  readonly route?: string;
  readonly fallbacks?: readonly string[];
  /**
   * Prompt size, to skip models whose context is too small; asked for only by a route's rules, as
   * counting with a real tokenizer is the dearest step of routing and a named model needs no count.
   */
  readonly promptTokens: () => number;
  /**
   * A bound the count cannot exceed, known without tokenizing: when every model's context holds
   * that many tokens, the prompt fits them all and is not counted.
   */
  readonly promptTokensAtMost?: () => number;
  /** Private data: only local models. */
  readonly private?: boolean;
}

export interface Routing {
  readonly candidates: readonly ModelConfig[];
  readonly route: string | null;
  readonly reason: string;
}

export function routeRequest(
  request: RouteRequest,
  config: LlmConfig,
  inputPricePerMTok: (model: ModelConfig) => number | undefined,
  circuitOpen: (model: ModelConfig) => boolean,
): Routing {
  const byId = new Map(config.models.map((model) => [model.id, model]));
  const named = (id: string) => {
    const model = byId.get(id);
    if (!model) throw new SwitchyardError('SY_LLM_REQUEST_INVALID', `no model "${id}" is configured`);
    return model;
  };
  const privacyOk = (model: ModelConfig) => !request.private || model.local;

  if (request.model !== undefined) {
    const chain = [request.model, ...(request.fallbacks ?? [])].map(named);
    const allowed = chain.filter(privacyOk);
    if (allowed.length === 0) throw noneCapable('the private data may only go to a local model');
    return { candidates: allowed, route: null, reason: `model ${chain.map((m) => m.id).join(' → ')}` };
  }

  const routeId = request.route ?? 'default';
  const route = config.routes.find((r) => r.id === routeId);
  if (!route) {
    throw new SwitchyardError('SY_LLM_REQUEST_INVALID', `no route "${routeId}" is configured`, {
      hint: `Configured routes: ${config.routes.map((r) => r.id).join(', ') || 'none'}.`,
    });
  }
  if (route.candidates) {
    const allowed = route.candidates.map(named).filter(privacyOk);
    if (allowed.length === 0) throw noneCapable(`route ${routeId} has no local model for private data`);
    return {
      candidates: allowed,
      route: routeId,
      reason: `route ${routeId}: ${allowed.map((m) => m.id).join(' → ')}`,
    };
  }

  const rules = route.select ?? { privacy: 'any' as const };
  const needsPrivate = request.private === true || rules.privacy === 'private';
  const atMost = request.promptTokensAtMost?.();
  const fitsEveryModel =
    atMost !== undefined && config.models.every((model) => model.embedding || model.contextWindow >= atMost);
  const minContext = Math.max(rules.minContext ?? 0, fitsEveryModel ? 0 : request.promptTokens());
  const context = `context ≥ ${minContext}${fitsEveryModel ? ` (a prompt of ≤ ${atMost} tokens fits every model)` : ''}`;
  const capable = config.models.filter(
    (model) =>
      !model.embedding &&
      (rules.class === undefined || model.classes.includes(rules.class)) &&
      model.contextWindow >= minContext &&
      (!needsPrivate || model.local) &&
      (rules.maxInputPerMTok === undefined ||
        (inputPricePerMTok(model) ?? Number.POSITIVE_INFINITY) <= rules.maxInputPerMTok),
  );
  if (capable.length === 0) {
    throw noneCapable(
      `route ${routeId} found no model for class ${rules.class ?? 'any'}, ${context}${needsPrivate ? ', local only' : ''}`,
    );
  }
  const price = (model: ModelConfig) => inputPricePerMTok(model) ?? Number.POSITIVE_INFINITY;
  const ordered = [...capable].sort(
    (a, b) =>
      Number(circuitOpen(a)) - Number(circuitOpen(b)) || price(a) - price(b) || a.id.localeCompare(b.id),
  );
  const described = ordered.map((m) => `${m.id}${circuitOpen(m) ? ' (circuit open)' : ''}`).join(' → ');
  return {
    candidates: ordered,
    route: routeId,
    reason: `route ${routeId}: ${rules.class ?? 'any'} class, ${context}${needsPrivate ? ', local only' : ''}, cheapest first: ${described}`,
  };
}

function noneCapable(message: string): SwitchyardError {
  return new SwitchyardError('SY_LLM_REQUEST_INVALID', message, {
    hint: 'Add a capable model to the LLM configuration, or relax the route.',
  });
}
