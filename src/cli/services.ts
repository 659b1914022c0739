/** @module The composition root of the CLI: real clock, expression engine, QuickJS sandbox, file resolver. */

import { SwitchyardError } from '../errors/switchyard-error.ts';
import { ExpressionEngine } from '../expressions/engine.ts';
import type { NodeRegistry } from '../nodes/registry.ts';
import { systemClock } from '../runtime/clock.ts';
import { noCredentials, noOutbound } from '../runtime/offline-services.ts';
import type { ExecutorServices } from '../runtime/services.ts';
import { lazyCodeSandbox } from '../sandbox/lazy-sandbox.ts';
import { createQuickJsSandbox } from '../sandbox/quickjs-sandbox.ts';
import { FileWorkflowResolver } from '../workflow-file/resolver.ts';

export function createCliServices(registry: NodeRegistry): ExecutorServices {
  return {
    clock: systemClock,
    random: Math.random,
    expressions: new ExpressionEngine(),
    code: lazyCodeSandbox(createQuickJsSandbox),
    workflows: new FileWorkflowResolver(registry),
    // Replaced by the SSRF-guarded client (src/net) as soon as it lands.
    outbound: noOutbound,
    credentials: noCredentials,
  };
}
