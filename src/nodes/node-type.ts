/**
 * @module What a node type is: a parameter schema, the shape it gives the graph, and `run(ctx, input)`.
 * A node touches the world only through `ctx`; it never imports infrastructure.
 */
import type { z } from 'zod';
import type { NodeShape, NodeTypeSpec } from '../core/catalog.ts';
import type { Arrival, NodeContext, ScopeFrameView } from './context.ts';

export type NodeCategory = 'trigger' | 'flow' | 'data' | 'code' | 'workflow' | 'ai' | 'integration';

/** Output port → value, for the ports the run fires. */
export type NodeOutputs = Readonly<Record<string, unknown>>;

export interface NodeRunInput<P> {
  /** Parameters with their expressions evaluated, checked against the schema. */
  readonly params: P;
  /** The value on the first input port. */
  readonly input: unknown;
  readonly inputs: Readonly<Record<string, unknown>>;
  /** Every live input in edge order (merge nodes combine these). */
  readonly arrivals: readonly Arrival[];
  /** Enclosing loop iterations, outermost first. */
  readonly loops: readonly ScopeFrameView[];
}

export interface NodeType<P = unknown> extends NodeTypeSpec {
  readonly title: string;
  readonly description: string;
  readonly category: NodeCategory;
  /**
   * Touches nothing outside its execution (no call out, no answer to anyone, no wait): its result
   * can be recomputed from its input, so the runner goes on without waiting for it to be written,
   * and waits only before the next node that is not pure (or the end).
   */
  readonly pure: boolean;
  run(ctx: NodeContext, input: NodeRunInput<P>): Promise<NodeOutputs>;
}

export interface NodeTypeDefinition<S extends z.ZodType> {
  readonly type: string;
  readonly title: string;
  readonly description: string;
  readonly category: NodeCategory;
  /** See `NodeType.pure`; false unless said. */
  readonly pure?: boolean;
  readonly params: S;
  readonly rawParams?: readonly string[];
  readonly staticParams?: readonly string[];
  readonly shape: NodeShape | ((params: Readonly<Record<string, unknown>>) => NodeShape);
  run(ctx: NodeContext, input: NodeRunInput<z.output<S>>): Promise<NodeOutputs>;
}

export function defineNode<S extends z.ZodType>(definition: NodeTypeDefinition<S>): NodeType<z.output<S>> {
  const { shape } = definition;
  return {
    type: definition.type,
    title: definition.title,
    description: definition.description,
    category: definition.category,
    pure: definition.pure ?? false,
    params: definition.params,
    rawParams: definition.rawParams ?? [],
    staticParams: definition.staticParams ?? [],
    shape: typeof shape === 'function' ? shape : () => shape,
    run: definition.run,
  };
}

/** The shape of most nodes: one input, one output, all inputs awaited. */
export function taskShape(outputs: readonly string[] = ['out']): NodeShape {
  return { role: 'task', inputs: ['in'], outputs, join: { kind: 'all' } };
}
