/**
 * @module What webhooks read about their workflow (workspace, latest version), kept between
 * requests. Only for the embedded store: its file is this process's alone, so every change to a
 * workflow goes through this process's own `workflows` methods, which empty the cache. A read that
 * overlapped such a change is answered but not kept.
 */
import type { WorkflowRepository } from '../ports.ts';

type Trigger = Awaited<ReturnType<WorkflowRepository['forTrigger']>>;

const MAX_ENTRIES = 1000;
const WRITES = ['create', 'updateDraft', 'delete', 'publish'] as const;

export function cachingTriggers(workflows: WorkflowRepository): WorkflowRepository {
  const cache = new Map<string, Trigger>();
  // Raised when a write starts and when it ends: a read that saw it change may hold either state.
  let generation = 0;
  const cached: WorkflowRepository = { ...workflows };
  cached.forTrigger = async (id) => {
    const hit = cache.get(id);
    if (hit !== undefined) return hit;
    const before = generation;
    const found = await workflows.forTrigger(id);
    if (found !== undefined && generation === before) {
      if (cache.size >= MAX_ENTRIES) cache.delete(cache.keys().next().value as string);
      cache.set(id, found);
    }
    return found;
  };
  for (const name of WRITES) {
    const write = workflows[name] as (...args: unknown[]) => Promise<unknown>;
    (cached as unknown as Record<string, unknown>)[name] = async (...args: unknown[]) => {
      generation++;
      cache.clear();
      try {
        return await write(...args);
      } finally {
        generation++;
        cache.clear();
      }
    };
  }
  return cached;
}
