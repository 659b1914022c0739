/**
 * @module Writes audit events. An audit write that fails is logged, never thrown: a refused request
 * stays refused and an accepted one is not undone because the log could not be written.
 */
import { randomUUID } from 'node:crypto';
import type { AuditOutcome, AuditRepository } from '../../store/security-ports.ts';

export interface AuditEntry {
  readonly workspaceId: string | null;
  readonly actor: string;
  readonly action: string;
  readonly target?: string | null;
  readonly outcome: AuditOutcome;
  readonly ip?: string | null;
  readonly detail?: Readonly<Record<string, unknown>>;
}

export class AuditLog {
  private readonly repository: AuditRepository;
  private readonly now: () => number;
  private readonly onError: (error: unknown, entry: AuditEntry) => void;

  constructor(
    repository: AuditRepository,
    now: () => number,
    onError: (error: unknown, entry: AuditEntry) => void,
  ) {
    this.repository = repository;
    this.now = now;
    this.onError = onError;
  }

  async record(entry: AuditEntry): Promise<void> {
    try {
      await this.repository.append({
        id: randomUUID(),
        workspaceId: entry.workspaceId,
        actor: entry.actor,
        action: entry.action,
        target: entry.target ?? null,
        outcome: entry.outcome,
        ip: entry.ip ?? null,
        detail: entry.detail ?? null,
        createdAt: this.now(),
      });
    } catch (error) {
      this.onError(error, entry);
    }
  }
}
