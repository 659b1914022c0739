/** @module What an executor needs from the outside world, handed in so that tests can fake any of it. */
import type { CompiledWorkflow } from '../core/graph/compiled.ts';
import type { ExpressionEngine } from '../expressions/engine.ts';
import type { CodeSandbox } from '../sandbox/types.ts';
import type { Clock } from './clock.ts';

export interface ResolvedWorkflow {
  readonly workflow: CompiledWorkflow;
  /** Where it came from (a file path), so that its own references resolve against it. */
  readonly location: string;
}

export interface WorkflowResolver {
  resolve(reference: string, from: string | undefined): Promise<ResolvedWorkflow>;
}

export interface ExecutorServices {
  readonly clock: Clock;
  /** Uniform in [0, 1): retry jitter. */
  readonly random: () => number;
  readonly expressions: ExpressionEngine;
  readonly code: CodeSandbox;
  readonly workflows: WorkflowResolver;
}
