/**
 * @module The Store over an open SQL connection: the shared repositories, with every driver error
 * they throw translated in one place (the backend's translateError), whatever the backend.
 */
import type { StoreConnection } from './backend.ts';
import { migrationState } from './migrations.ts';
import type { Store } from './ports.ts';
import { apiKeyRepository } from './repositories/api-keys.ts';
import { approvalRepository } from './repositories/approvals.ts';
import { auditRepository } from './repositories/audit.ts';
import { conversationRepository } from './repositories/conversations.ts';
import { credentialRepository } from './repositories/credentials.ts';
import { deadLetterRepository } from './repositories/dead-letters.ts';
import { eventRepository } from './repositories/events.ts';
import { executionRepository } from './repositories/executions.ts';
import { idempotencyRepository } from './repositories/idempotency.ts';
import { journalRepository } from './repositories/journal.ts';
import { budgetRepository } from './repositories/llm-budgets.ts';
import { cacheRepository } from './repositories/llm-cache.ts';
import { ledgerRepository } from './repositories/llm-ledger.ts';
import { nodeRunRepository } from './repositories/node-runs.ts';
import { refreshTokenRepository } from './repositories/refresh-tokens.ts';
import { scheduleRepository } from './repositories/schedules.ts';
import { stepRepository } from './repositories/steps.ts';
import { timerRepository } from './repositories/timers.ts';
import { userRepository } from './repositories/users.ts';
import { webhookDeliveryRepository } from './repositories/webhook-deliveries.ts';
import { workflowRepository } from './repositories/workflows.ts';
import { workspaceRepository } from './repositories/workspaces.ts';

export function createSqlStore(connection: StoreConnection): Store {
  const { db, backend } = connection;
  const guard = <T extends object>(repository: T): T => translatingErrors(repository, backend.translateError);
  let closing: Promise<void> | undefined;
  return {
    backend: backend.name,
    workflows: guard(workflowRepository(db)),
    executions: guard(executionRepository(db, backend)),
    nodeRuns: guard(nodeRunRepository(db, backend)),
    events: guard(eventRepository(db, backend)),
    journal: guard(connection.journal ?? journalRepository(db, backend)),
    timers: guard(timerRepository(db)),
    deadLetters: guard(deadLetterRepository(db)),
    schedules: guard(scheduleRepository(db)),
    webhookDeliveries: guard(webhookDeliveryRepository(db)),
    idempotency: guard(idempotencyRepository(db)),
    users: guard(userRepository(db, backend)),
    workspaces: guard(workspaceRepository(db, backend)),
    refreshTokens: guard(refreshTokenRepository(db)),
    apiKeys: guard(apiKeyRepository(db)),
    credentials: guard(credentialRepository(db)),
    audit: guard(auditRepository(db)),
    ledger: guard(ledgerRepository(db)),
    budgets: guard(budgetRepository(db, backend)),
    llmCache: guard(cacheRepository(db)),
    approvals: guard(approvalRepository(db, backend)),
    steps: guard(stepRepository(db)),
    conversations: guard(conversationRepository(db)),
    async health() {
      try {
        const state = await migrationState(connection);
        if (state.unknown.length > 0)
          return { ok: false, detail: `unknown migrations: ${state.unknown.join(', ')}` };
        if (state.pending.length > 0)
          return { ok: false, detail: `pending migrations: ${state.pending.join(', ')}` };
        return { ok: true };
      } catch (error) {
        const translated = backend.translateError(error);
        return { ok: false, detail: translated instanceof Error ? translated.message : String(translated) };
      }
    },
    close() {
      closing ??= connection.close();
      return closing;
    },
  };
}

/** Wraps every method so that what it throws passes through `translate` first. */
function translatingErrors<T extends object>(repository: T, translate: (error: unknown) => unknown): T {
  const wrapped: Record<string, unknown> = {};
  for (const [name, member] of Object.entries(repository)) {
    wrapped[name] =
      typeof member === 'function'
        ? async (...args: unknown[]) => {
            try {
              return await member(...args);
            } catch (error) {
              throw translate(error);
            }
          }
        : member;
  }
  // Same keys, same signatures; only the rejection values differ.
  return wrapped as T;
}
