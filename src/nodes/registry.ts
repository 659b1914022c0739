/** @module The node type registry: the built-in types, and the place later issues add theirs. */
import type { NodeCatalog } from '../core/catalog.ts';
import { agentNode } from './agent.ts';
import { approvalNode } from './approval.ts';
import { chatNode } from './chat.ts';
import { codeNode } from './code.ts';
import { conditionNode } from './condition.ts';
import { delayNode } from './delay.ts';
import { embeddingsNode } from './embeddings.ts';
import { endNode } from './end.ts';
import { failNode } from './fail.ts';
import { httpNode } from './http.ts';
import { llmNode } from './llm.ts';
import { loopNode } from './loop.ts';
import { mergeNode } from './merge.ts';
import type { NodeType } from './node-type.ts';
import { parallelNode } from './parallel.ts';
import { respondNode } from './respond.ts';
import { setNode } from './set.ts';
import { startNode } from './start.ts';
import { subworkflowNode } from './subworkflow.ts';
import { switchNode } from './switch.ts';
import { transformNode } from './transform.ts';
import { voteNode } from './vote.ts';
import { webhookNode } from './webhook.ts';

export class NodeRegistry implements NodeCatalog {
  private readonly types = new Map<string, NodeType>();

  register(...types: NodeType<never>[]): this {
    for (const type of types) {
      if (this.types.has(type.type)) throw new Error(`node type "${type.type}" is registered twice`);
      this.types.set(type.type, type as NodeType);
    }
    return this;
  }

  get(type: string): NodeType | undefined {
    return this.types.get(type);
  }

  get typeNames(): string[] {
    return [...this.types.keys()];
  }

  all(): NodeType[] {
    return [...this.types.values()];
  }
}

export const builtinNodeTypes = [
  startNode,
  webhookNode,
  chatNode,
  setNode,
  transformNode,
  conditionNode,
  switchNode,
  loopNode,
  mergeNode,
  parallelNode,
  delayNode,
  subworkflowNode,
  respondNode,
  endNode,
  codeNode,
  failNode,
  httpNode,
  llmNode,
  embeddingsNode,
  approvalNode,
  agentNode,
  voteNode,
] as const;

export function createNodeRegistry(): NodeRegistry {
  return new NodeRegistry().register(...builtinNodeTypes);
}
