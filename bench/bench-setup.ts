/** What both benchmarks share: a node that does nothing (so the engine's time is what is measured) and services without code or sub-workflows. */

import { z } from 'zod';
import { ExpressionEngine } from '../src/expressions/engine.ts';
import { defineNode, taskShape } from '../src/nodes/node-type.ts';
import { createNodeRegistry } from '../src/nodes/registry.ts';
import { systemClock } from '../src/runtime/clock.ts';
import { noCredentials, noOutbound } from '../src/runtime/offline-services.ts';
import type { ExecutorServices } from '../src/runtime/services.ts';

export const noopNode = defineNode({
  type: 'noop',
  title: 'No-op',
  description: 'Passes its input on (benchmarks only).',
  category: 'data',
  params: z.strictObject({}),
  shape: taskShape(),
  run: async (_ctx, { input }) => ({ out: input }),
});

export const registry = createNodeRegistry().register(noopNode);

export const services: ExecutorServices = {
  clock: systemClock,
  random: Math.random,
  expressions: new ExpressionEngine(),
  code: { run: () => Promise.reject(new Error('no code in benchmarks')), dispose: () => {} },
  workflows: { resolve: () => Promise.reject(new Error('no sub-workflows in benchmarks')) },
  outbound: noOutbound,
  credentials: noCredentials,
};
