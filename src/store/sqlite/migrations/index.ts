/** @module The SQLite migrations, by name; names sort in the order they apply. Never edit a shipped one. */
import type { Migration } from 'kysely';
import { initial } from './0001_initial.ts';
import { accountingAndOperations } from './0002_accounting_and_operations.ts';
import { nodeRunInput } from './0003_node_run_input.ts';
import { webhooksAndIdempotency } from './0004_webhooks_and_idempotency.ts';
import { identityAndSecrets } from './0005_identity_and_secrets.ts';
import { llmGateway } from './0006_llm_gateway.ts';
import { approvals } from './0007_approvals.ts';
import { nodeSteps } from './0008_node_steps.ts';
import { conversations } from './0009_conversations.ts';

export const sqliteMigrations: Readonly<Record<string, Migration>> = {
  '0001_initial': initial,
  '0002_accounting_and_operations': accountingAndOperations,
  '0003_node_run_input': nodeRunInput,
  '0004_webhooks_and_idempotency': webhooksAndIdempotency,
  '0005_identity_and_secrets': identityAndSecrets,
  '0006_llm_gateway': llmGateway,
  '0007_approvals': approvals,
  '0008_node_steps': nodeSteps,
  '0009_conversations': conversations,
};
