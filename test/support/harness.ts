/** Builds an executor for tests: real expressions and sandbox, a fake (or real) clock, test node types. */
import type { CompiledWorkflow } from '../../src/core/graph/compiled.ts';
import { validateWorkflow } from '../../src/core/validate.ts';
import { SwitchyardError } from '../../src/errors/switchyard-error.ts';
import { ExpressionEngine } from '../../src/expressions/engine.ts';
import type { Clock } from '../../src/runtime/clock.ts';
import { systemClock } from '../../src/runtime/clock.ts';
import type { ExecutionEvent } from '../../src/runtime/events.ts';
import { type ExecuteOptions, type ExecutionResult, ExecutionRun } from '../../src/runtime/execution-run.ts';
import { noCredentials, noOutbound } from '../../src/runtime/offline-services.ts';
import type { ExecutorServices } from '../../src/runtime/services.ts';
import { lazyCodeSandbox } from '../../src/sandbox/lazy-sandbox.ts';
import { createQuickJsSandbox } from '../../src/sandbox/quickjs-sandbox.ts';
import { newTracker, testRegistry } from './test-nodes.ts';

export function harness(options: { clock?: Clock; random?: () => number } = {}) {
  const tracker = newTracker();
  const registry = testRegistry(tracker);
  const library = new Map<string, CompiledWorkflow>();
  const compile = (document: unknown): CompiledWorkflow => {
    const { workflow, problems } = validateWorkflow(document, registry);
    if (!workflow) throw new Error(problems.map((p) => `${p.code} ${p.path}: ${p.message}`).join('\n'));
    return workflow;
  };
  const services: ExecutorServices = {
    clock: options.clock ?? systemClock,
    random: options.random ?? Math.random,
    expressions: new ExpressionEngine(),
    code: lazyCodeSandbox(createQuickJsSandbox),
    workflows: {
      resolve: async (reference) => {
        const workflow = library.get(reference);
        if (!workflow) throw new SwitchyardError('SY_SUBWORKFLOW_NOT_FOUND', `no workflow "${reference}"`);
        return { workflow, location: reference };
      },
    },
    outbound: noOutbound,
    credentials: noCredentials,
  };
  let counter = 0;
  const events: ExecutionEvent[] = [];
  const start = (document: unknown, run: Partial<ExecuteOptions> = {}): Promise<ExecutionResult> =>
    new ExecutionRun(services, compile(document), {
      executionId: `exec-${++counter}`,
      onEvent: (event) => events.push(event),
      ...run,
    }).run();
  return { tracker, registry, services, library, compile, start, events };
}
