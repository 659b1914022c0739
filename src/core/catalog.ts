/**
 * @module What the pure core needs to know about node types — their parameter schema and the
 * shape they give the graph (ports, role, join rule, loop settings) — without their run code.
 */
import type { z } from 'zod';

/** How a node with several incoming edges decides it is ready. */
export type JoinPolicy =
  | { readonly kind: 'all' }
  | { readonly kind: 'first' }
  | { readonly kind: 'count'; readonly count: number };

export interface LoopSettings {
  /** forEach: one iteration per item; repeat: feed each iteration's result into the next. */
  readonly mode: 'forEach' | 'repeat';
  readonly concurrency: number;
  readonly maxIterations: number;
}

/**
 * entry: starts executions (no inputs). loop: its `item` port opens iterations, its `next`/`break`
 * inputs close them. end: finishes the execution with its output. task: everything else.
 */
export type NodeRole = 'entry' | 'task' | 'loop' | 'end';

export interface NodeShape {
  readonly role: NodeRole;
  readonly inputs: readonly string[];
  /** Output ports; every node also has the implicit `error` port used by `onError: branch`. */
  readonly outputs: readonly string[];
  readonly join: JoinPolicy;
  readonly loop?: LoopSettings;
}

export interface NodeTypeSpec {
  readonly type: string;
  readonly params: z.ZodType;
  /** Top-level parameters kept verbatim: never scanned for {{ }} (source code, for one). */
  readonly rawParams: readonly string[];
  /** Top-level parameters that shape the graph and so must be literals. */
  readonly staticParams: readonly string[];
  /** The node's shape, from its parameters (only `staticParams` may be relied on). */
  shape(params: Readonly<Record<string, unknown>>): NodeShape;
}

export interface NodeCatalog {
  get(type: string): NodeTypeSpec | undefined;
  readonly typeNames: readonly string[];
}

export const ERROR_PORT = 'error';
export const LOOP_ITEM_PORT = 'item';
export const LOOP_DONE_PORT = 'done';
export const LOOP_NEXT_PORT = 'next';
export const LOOP_BREAK_PORT = 'break';
export const DEFAULT_INPUT_PORT = 'in';
export const DEFAULT_OUTPUT_PORT = 'out';
