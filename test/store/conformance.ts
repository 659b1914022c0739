/**
 * The store conformance suite: every backend passes the same tests against a real database.
 * A backend's test file calls storeConformance with a harness that makes fresh databases.
 */
import { describe } from 'vitest';
import { approvalAndStepConformance } from './conformance/approvals-steps.ts';
import { conversationConformance } from './conformance/conversations.ts';
import { deadLetterAndScheduleConformance } from './conformance/dead-letters-schedules.ts';
import { eventAndTimerConformance } from './conformance/events-timers.ts';
import { executionConformance } from './conformance/executions.ts';
import { type StoreHarness, storeFixture } from './conformance/fixture.ts';
import { identityConformance } from './conformance/identity.ts';
import { journalConformance } from './conformance/journal.ts';
import { jsonConformance } from './conformance/json-values.ts';
import { leaseConformance } from './conformance/leases.ts';
import { llmConformance } from './conformance/llm.ts';
import { migrationConformance } from './conformance/migrations.ts';
import { nodeRunConformance } from './conformance/node-runs.ts';
import { retentionConformance } from './conformance/retention.ts';
import { webhookAndIdempotencyConformance } from './conformance/webhooks-idempotency.ts';
import { workflowConformance } from './conformance/workflows.ts';
import { workspaceConformance } from './conformance/workspaces.ts';

export type { StoreHarness } from './conformance/fixture.ts';

export function storeConformance(name: string, harness: StoreHarness): void {
  describe(`store conformance: ${name}`, () => {
    const fixture = storeFixture(harness);
    workflowConformance(fixture);
    executionConformance(fixture);
    leaseConformance(fixture);
    nodeRunConformance(fixture);
    journalConformance(fixture);
    eventAndTimerConformance(fixture);
    deadLetterAndScheduleConformance(fixture);
    retentionConformance(fixture);
    jsonConformance(fixture);
    workspaceConformance(fixture);
    migrationConformance(fixture);
    webhookAndIdempotencyConformance(fixture);
    identityConformance(fixture);
    llmConformance(fixture);
    approvalAndStepConformance(fixture);
    conversationConformance(fixture);
  });
}
