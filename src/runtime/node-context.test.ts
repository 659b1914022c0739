import { describe, expect, it } from 'vitest';
import type { ReadyNode } from '../core/scheduler/records.ts';
import type { EventDraft } from './events.ts';
import { type NodeContextHost, NodeRunContext } from './node-context.ts';
import type { ExecutorServices } from './services.ts';

function context() {
  const events: EventDraft[] = [];
  const responses: unknown[] = [];
  const host = {
    services: { clock: { now: () => 42, sleep: async () => {} } } as unknown as ExecutorServices,
    executionId: 'exec-1',
    workspaceId: 'ws',
    workflowId: 'wf',
    outbound: async () => new Response('ok'),
    durableSleep: undefined,
    durableStep: undefined,
    emit: (event: EventDraft) => events.push(event),
    respond: (response: unknown) => responses.push(response),
    runSubworkflow: async () => 'sub',
  } as unknown as NodeContextHost;
  const ready = { key: 'n1@', node: { id: 'n1' }, scope: '' } as unknown as ReadyNode;
  return { ctx: new NodeRunContext(host, ready, 2, new AbortController().signal), events, responses };
}

describe('a node run context', () => {
  it('carries the run it belongs to', () => {
    const { ctx } = context();
    expect(ctx).toMatchObject({ executionId: 'exec-1', nodeId: 'n1', scope: '', attempt: 2 });
    expect(ctx.idempotencyKey).toBe('exec-1:n1@');
  });

  it('works the same for members taken off it as for members called on it', async () => {
    const { ctx, events, responses } = context();
    const { log, now, emit, respond, step, runWorkflow } = ctx;
    log.info('hello', { a: 1 });
    ctx.log.warn('careful');
    emit({ message: 'half', fraction: 0.5 });
    respond({ status: 201, headers: {}, body: 'made' });
    expect(now()).toBe(42);
    expect(await step('k', async () => 7)).toBe(7);
    expect(await runWorkflow('child', {})).toBe('sub');
    expect(events).toEqual([
      { type: 'node.log', nodeId: 'n1', scope: '', level: 'info', message: 'hello', fields: { a: 1 } },
      { type: 'node.log', nodeId: 'n1', scope: '', level: 'warn', message: 'careful' },
      { type: 'node.progress', nodeId: 'n1', scope: '', message: 'half', fraction: 0.5 },
    ]);
    expect(responses).toEqual([{ status: 201, headers: {}, body: 'made' }]);
    // Built once, when first reached for.
    expect(ctx.log).toBe(log);
    expect(ctx.now).toBe(now);
    expect(ctx.emit).toBe(emit);
  });

  it('refuses what the run cannot do, clearly', async () => {
    const { ctx } = context();
    await expect(ctx.mcpCall({ url: 'http://x' } as never, 't', {}, { timeoutMs: 10 })).rejects.toMatchObject(
      {
        code: 'SY_OUTBOUND_BLOCKED',
      },
    );
    expect(() => ctx.approval({ message: 'ok?' } as never)).toThrow(/cannot wait for a person/);
    await expect(ctx.llm.generate({ messages: [] } as never)).rejects.toMatchObject({
      code: 'SY_LLM_UNAVAILABLE',
    });
  });
});
