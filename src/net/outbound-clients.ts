/**
 * @module One outbound client per allow-list, shared: every workspace with the same allow-list uses
 * the same undici agent (and its kept-alive connections). When there are too many, the least
 * recently used one is forgotten, not closed: a running execution may still hold its fetch, and its
 * idle connections time out by themselves.
 */
import type { OutboundFetch } from '../nodes/context.ts';
import { compileAllowList } from './address-policy.ts';
import { createOutboundClient, type OutboundClient, type OutboundPolicy } from './outbound-client.ts';

export interface OutboundClients {
  /** The guarded fetch for one allow-list; a bad entry throws SY_CONFIG_INVALID. */
  forAllowList(allow: readonly string[]): OutboundFetch;
  close(): Promise<void>;
}

export function createOutboundClients(
  defaults: Omit<OutboundPolicy, 'allow'> = {},
  maxClients = 64,
): OutboundClients {
  const clients = new Map<string, OutboundClient>();
  return {
    forAllowList: (allow) => {
      const { key } = compileAllowList(allow);
      let client = clients.get(key);
      if (client) {
        clients.delete(key);
      } else {
        client = createOutboundClient({ ...defaults, allow });
        const oldest = clients.keys().next();
        if (!oldest.done && clients.size >= maxClients) clients.delete(oldest.value);
      }
      clients.set(key, client);
      return client.fetch;
    },
    close: async () => {
      const open = [...clients.values()];
      clients.clear();
      await Promise.all(open.map((client) => client.close()));
    },
  };
}
