/**
 * @module `$nodes` for expressions: a read-only view of finished nodes' outputs as seen from one
 * scope, looked up lazily so that building it costs nothing however large the workflow is.
 */
import type { CompiledWorkflow } from '../core/graph/compiled.ts';
import type { ExecutionState } from '../core/scheduler/execution-state.ts';

export function nodeOutputsView(
  workflow: CompiledWorkflow,
  state: ExecutionState,
  scope: string,
): Record<string, unknown> {
  const lookup = (id: string | symbol) =>
    typeof id === 'string' ? state.outputOf(id, scope) : { found: false, value: undefined };
  return new Proxy(Object.create(null) as Record<string, unknown>, {
    get: (_, id) => lookup(id).value,
    has: (_, id) => lookup(id).found,
    ownKeys: () => [...workflow.byId.keys()].filter((id) => lookup(id).found),
    getOwnPropertyDescriptor: (_, id) => {
      const { found, value } = lookup(id);
      return found ? { value, enumerable: true, configurable: true, writable: false } : undefined;
    },
    set: () => false,
    defineProperty: () => false,
    deleteProperty: () => false,
  });
}
