/**
 * @module The compiled form of a valid workflow: nodes by index, edges classified by how they
 * cross loop scopes, and per-node counts the scheduler needs. Built once, read by every execution.
 */
import type { NodeShape, NodeTypeSpec } from '../catalog.ts';
import type { NodeDefinition, WorkflowDefinition } from '../definition/schema.ts';

/**
 * forward: same scope on both ends. enter: from a loop's `item` port into its body (a new
 * iteration scope). back: from the body into the loop's `next`/`break` port (closes an iteration).
 */
export type EdgeKind = 'forward' | 'enter' | 'back';

export interface CompiledEdge {
  /** Index in the file's `edges` array. */
  readonly index: number;
  readonly from: number;
  readonly fromPort: string;
  readonly to: number;
  readonly toPort: string;
  readonly kind: EdgeKind;
  /** Position among the target's forward/enter in-edges (its input slot); -1 for back edges. */
  readonly slot: number;
}

export interface CompiledNode {
  readonly index: number;
  readonly id: string;
  readonly definition: NodeDefinition;
  readonly spec: NodeTypeSpec;
  readonly shape: NodeShape;
  /** Index of the innermost loop whose body holds this node, or -1 at the top level. */
  readonly loop: number;
  /** Outgoing forward edges by output port; enter and back edges are kept apart. */
  readonly outEdges: ReadonlyMap<string, readonly CompiledEdge[]>;
  /** Edges into this node that fill input slots (forward and enter), in file order. */
  readonly inEdges: readonly CompiledEdge[];
  /** For loops: edges leaving the `item` port. */
  readonly enterEdges: readonly CompiledEdge[];
  /** For loops: edges coming back into `next`/`break`. */
  readonly backEdges: readonly CompiledEdge[];
  /** True when no edge leaves the node: its output is part of the execution's output. */
  readonly isSink: boolean;
}

export interface CompiledWorkflow {
  readonly definition: WorkflowDefinition;
  readonly nodes: readonly CompiledNode[];
  readonly byId: ReadonlyMap<string, CompiledNode>;
  /** Indices of entry nodes, in file order. */
  readonly entries: readonly number[];
}
