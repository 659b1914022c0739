/**
 * @module Outbound HTTP per workspace: each request goes through the guarded client of the
 * workspace's allow-list (plus the operator's, from the environment). Allow-lists are cached
 * briefly and dropped when an admin changes one.
 */
import type { OutboundClients } from '../net/outbound-clients.ts';
import type { OutboundFetch } from '../nodes/context.ts';
import type { Store } from '../store/ports.ts';

const CACHE_MS = 10_000;

export interface WorkspaceOutbound {
  forWorkspace(workspaceId: string): OutboundFetch;
  /** Forget a cached allow-list after it changed. */
  invalidate(workspaceId: string): void;
}

export function workspaceOutbound(options: {
  readonly store: Store;
  readonly clients: OutboundClients;
  readonly operatorAllow: readonly string[];
  readonly now: () => number;
}): WorkspaceOutbound {
  const cache = new Map<string, { readonly allow: readonly string[]; readonly until: number }>();
  const allowOf = async (workspaceId: string): Promise<readonly string[]> => {
    const cached = cache.get(workspaceId);
    if (cached && cached.until > options.now()) return cached.allow;
    const workspace = await options.store.workspaces.get(workspaceId);
    const allow = [...options.operatorAllow, ...(workspace?.outboundAllow ?? [])];
    cache.set(workspaceId, { allow, until: options.now() + CACHE_MS });
    return allow;
  };
  return {
    forWorkspace: (workspaceId) => async (request, signal) =>
      options.clients.forAllowList(await allowOf(workspaceId))(request, signal),
    invalidate: (workspaceId) => cache.delete(workspaceId),
  };
}
