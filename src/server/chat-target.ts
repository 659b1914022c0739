/**
 * @module Which node a conversation's workflow chats through: the first `chat` entry node of its
 * latest published version, with the history window it asks for. A workflow without one cannot
 * chat (SY_CHAT_NOT_ENABLED), so conversations are refused up front rather than failing per message.
 */
import { SwitchyardError } from '../errors/switchyard-error.ts';
import { type ChatParams, chatNode, chatParams } from '../nodes/chat.ts';
import type { Store } from '../store/ports.ts';

export interface ChatTarget {
  readonly version: number;
  readonly nodeId: string;
  readonly params: ChatParams;
}

export async function chatTargetOf(
  store: Pick<Store, 'workflows'>,
  workspaceId: string,
  workflowId: string,
): Promise<ChatTarget> {
  const workflow = await store.workflows.get(workspaceId, workflowId);
  if (!workflow) throw new SwitchyardError('SY_WORKFLOW_NOT_FOUND', `no workflow "${workflowId}"`);
  const version = workflow.latestVersion;
  const stored =
    version === null ? undefined : await store.workflows.getVersion(workspaceId, workflowId, version);
  if (version === null || !stored) {
    throw new SwitchyardError(
      'SY_WORKFLOW_NOT_PUBLISHED',
      `workflow "${workflowId}" has no published version to chat with`,
    );
  }
  const target = chatNodeIn(stored.definition);
  if (!target) {
    throw new SwitchyardError(
      'SY_CHAT_NOT_ENABLED',
      `version ${version} of workflow "${workflowId}" has no \`chat\` entry node`,
    );
  }
  return { version, ...target };
}

function chatNodeIn(definition: unknown): Omit<ChatTarget, 'version'> | undefined {
  const nodes = (definition as { nodes?: unknown } | undefined)?.nodes;
  if (!Array.isArray(nodes)) return undefined;
  for (const node of nodes as { id?: unknown; type?: unknown; params?: unknown }[]) {
    if (node?.type !== chatNode.type || typeof node.id !== 'string') continue;
    // Published versions were validated; the parameter is static, so it parses as stored.
    const parsed = chatParams.safeParse(node.params ?? {});
    if (parsed.success) return { nodeId: node.id, params: parsed.data };
  }
  return undefined;
}
