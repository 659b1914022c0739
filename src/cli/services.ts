/** @module The composition root of the CLI: real clock, expression engine, QuickJS sandbox, file resolver. */

import { ExpressionEngine } from '../expressions/engine.ts';
import { mcpCaller } from '../mcp/mcp-calls.ts';
import { stdioAllowFromEnv } from '../mcp/stdio-allow.ts';
import { outboundAllowFromEnv } from '../net/allow-env.ts';
import { createOutboundClients } from '../net/outbound-clients.ts';
import type { NodeRegistry } from '../nodes/registry.ts';
import { systemClock } from '../runtime/clock.ts';
import { noCredentials } from '../runtime/offline-services.ts';
import type { ExecutorServices } from '../runtime/services.ts';
import { lazyCodeSandbox } from '../sandbox/lazy-sandbox.ts';
import { createQuickJsSandbox } from '../sandbox/quickjs-sandbox.ts';
import { FileWorkflowResolver } from '../workflow-file/resolver.ts';

export function createCliServices(registry: NodeRegistry): ExecutorServices {
  // The CLI has no workspaces: every execution gets the operator's SWITCHYARD_OUTBOUND_ALLOW.
  const allow = outboundAllowFromEnv();
  const outbound = createOutboundClients();
  return {
    clock: systemClock,
    random: Math.random,
    expressions: new ExpressionEngine(),
    code: lazyCodeSandbox(createQuickJsSandbox),
    workflows: new FileWorkflowResolver(registry),
    outbound: () => outbound.forAllowList(allow),
    credentials: noCredentials,
    mcp: mcpCaller(() => outbound.forAllowList(allow), stdioAllowFromEnv()),
  };
}
