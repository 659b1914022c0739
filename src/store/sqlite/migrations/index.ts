/** @module The SQLite migrations, by name; names sort in the order they apply. Never edit a shipped one. */
import type { Migration } from 'kysely';
import { identityAndSecrets } from '../../shared-migrations/0005_identity_and_secrets.ts';
import { llmGateway } from '../../shared-migrations/0006_llm_gateway.ts';
import { approvals } from '../../shared-migrations/0007_approvals.ts';
import { nodeSteps } from '../../shared-migrations/0008_node_steps.ts';
import { conversations } from '../../shared-migrations/0009_conversations.ts';
import { SQLITE_TYPES } from '../../shared-migrations/column-types.ts';
import { initial } from './0001_initial.ts';
import { accountingAndOperations } from './0002_accounting_and_operations.ts';
import { nodeRunInput } from './0003_node_run_input.ts';
import { webhooksAndIdempotency } from './0004_webhooks_and_idempotency.ts';

export const sqliteMigrations: Readonly<Record<string, Migration>> = {
  '0001_initial': initial,
  '0002_accounting_and_operations': accountingAndOperations,
  '0003_node_run_input': nodeRunInput,
  '0004_webhooks_and_idempotency': webhooksAndIdempotency,
  '0005_identity_and_secrets': identityAndSecrets(SQLITE_TYPES),
  '0006_llm_gateway': llmGateway(SQLITE_TYPES),
  '0007_approvals': approvals(SQLITE_TYPES),
  '0008_node_steps': nodeSteps(SQLITE_TYPES),
  '0009_conversations': conversations(SQLITE_TYPES),
};
