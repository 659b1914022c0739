/**
 * @module Which webhook node answers `/hooks/{workflowId}/{path}`: the one with that path in the latest
 * published version (the first in definition order if two share it). Versions never change, so each
 * version's webhook nodes are read once and kept.
 */
import { SwitchyardError } from '../errors/switchyard-error.ts';
import { type WebhookParams, webhookNode, webhookParams } from '../nodes/webhook.ts';
import type { Store } from '../store/ports.ts';

export interface WebhookTarget {
  /** The workflow's own workspace: a public trigger never acts in one the caller names. */
  readonly workspaceId: string;
  readonly version: number;
  readonly nodeId: string;
  readonly params: WebhookParams;
}

const CACHED_VERSIONS = 1000;

export type FindWebhook = (workflowId: string, path: string) => Promise<WebhookTarget>;

export function webhookFinder(store: Store): FindWebhook {
  const cache = new Map<string, readonly Omit<WebhookTarget, 'version' | 'workspaceId'>[]>();
  return async (workflowId, path) => {
    const workflow = await store.workflows.forTrigger(workflowId);
    const version = workflow?.latestVersion ?? null;
    if (!workflow || version === null) throw notFound(workflowId, path);
    const { workspaceId } = workflow;
    const key = JSON.stringify([workspaceId, workflowId, version]);
    let targets = cache.get(key);
    if (!targets) {
      const stored = await store.workflows.getVersion(workspaceId, workflowId, version);
      targets = webhooksIn(stored?.definition);
      if (cache.size >= CACHED_VERSIONS) cache.delete(cache.keys().next().value!);
      cache.set(key, targets);
    }
    const target = targets.find((t) => t.params.path === path);
    if (!target) throw notFound(workflowId, path);
    return { workspaceId, version, ...target };
  };
}

function webhooksIn(definition: unknown): Omit<WebhookTarget, 'version' | 'workspaceId'>[] {
  const nodes = (definition as { nodes?: unknown } | undefined)?.nodes;
  if (!Array.isArray(nodes)) return [];
  return nodes.flatMap((node: { id?: unknown; type?: unknown; params?: unknown }) => {
    if (node?.type !== webhookNode.type || typeof node.id !== 'string') return [];
    // Published versions were validated; a parameter that is still an expression cannot be served.
    const parsed = webhookParams.safeParse(node.params ?? {});
    return parsed.success ? [{ nodeId: node.id, params: parsed.data }] : [];
  });
}

function notFound(workflowId: string, path: string): SwitchyardError {
  return new SwitchyardError(
    'SY_WEBHOOK_NOT_FOUND',
    `workflow "${workflowId}" has no published webhook at path "${path}"`,
  );
}
