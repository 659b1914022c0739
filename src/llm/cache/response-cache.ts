/**
 * @module The exact-match response cache: a key from the workspace and the normalised request
 * (messages, model or route, parameters, tools, schema), an LRU in memory in front of the
 * database. Entries are per workspace, so one workspace's answers never reach another.
 */
import { hash } from 'node:crypto';
import { LRUCache } from 'lru-cache';
import type { CacheRepository } from '../../store/llm-ports.ts';
import type { LlmRequest } from '../gateway/types.ts';

export interface CachedAnswer {
  readonly text: string;
  readonly toolCalls: readonly { readonly id: string; readonly name: string; readonly input: unknown }[];
  readonly object?: unknown;
  readonly finishReason: string;
  readonly provider: string;
  readonly model: string;
}

export class ResponseCache {
  private readonly memory:
    | LRUCache<string, { readonly answer: CachedAnswer; readonly expiresAt: number }>
    | undefined;
  private readonly store: CacheRepository;
  private readonly ttlMs: number;
  private readonly now: () => number;

  constructor(options: { store: CacheRepository; memoryEntries: number; ttlMs: number; now: () => number }) {
    this.memory = options.memoryEntries > 0 ? new LRUCache({ max: options.memoryEntries }) : undefined;
    this.store = options.store;
    this.ttlMs = options.ttlMs;
    this.now = options.now;
  }

  /** Deterministic requests only, unless the caller says otherwise. */
  static cacheable(request: LlmRequest): boolean {
    if (request.cache === 'off') return false;
    if (request.cache === 'always') return true;
    return request.temperature === 0 && (request.tools?.length ?? 0) === 0;
  }

  keyOf(workspaceId: string, request: LlmRequest): string {
    const normal = {
      workspaceId,
      model: request.model ?? null,
      route: request.model === undefined ? (request.route ?? 'default') : null,
      fallbacks: request.fallbacks ?? [],
      messages: request.messages,
      temperature: request.temperature ?? null,
      topP: request.topP ?? null,
      maxOutputTokens: request.maxOutputTokens ?? null,
      stop: request.stop ?? [],
      tools: request.tools ?? [],
      responseSchema: request.responseSchema ?? null,
      private: request.private ?? false,
    };
    return hash('sha256', JSON.stringify(normal), 'hex');
  }

  /** A durable tier that fails is a miss: the cache must never fail a model call. */
  async get(key: string): Promise<CachedAnswer | undefined> {
    const now = this.now();
    const local = this.memory?.get(key);
    if (local && local.expiresAt > now) return local.answer;
    const stored = (await this.store.get(key, now).catch(() => undefined)) as CachedAnswer | undefined;
    if (stored) this.memory?.set(key, { answer: stored, expiresAt: now + this.ttlMs });
    return stored;
  }

  async put(key: string, workspaceId: string, answer: CachedAnswer): Promise<void> {
    const now = this.now();
    this.memory?.set(key, { answer, expiresAt: now + this.ttlMs });
    await this.store
      .put({ key, workspaceId, response: answer, now, expiresAt: now + this.ttlMs })
      .catch(() => {});
  }
}
