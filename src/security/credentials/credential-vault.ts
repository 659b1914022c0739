/**
 * @module The credential vault: seals credential fields (envelope encryption under the master key
 * ring, bound to their workspace and record), stores them, and opens them only for nodes of the
 * same workspace. Every opened value is registered with the redactor, so it is scrubbed from
 * whatever is stored, logged or answered afterwards.
 */
import { randomUUID } from 'node:crypto';
import { SwitchyardError } from '../../errors/switchyard-error.ts';
import type { CredentialData } from '../../nodes/context.ts';
import type { CredentialSource } from '../../runtime/services.ts';
import type { Store } from '../../store/ports.ts';
import type { CredentialMeta } from '../../store/security-ports.ts';
import type { SecretRedactor } from '../redact/secret-redactor.ts';
import { open, seal } from '../vault/envelope.ts';
import type { KeyRing } from '../vault/key-ring.ts';

export interface CredentialInput {
  readonly name: string;
  readonly type: string;
  readonly data: CredentialData;
}

export class CredentialVault implements CredentialSource {
  private readonly store: Store;
  private readonly ring: KeyRing;
  private readonly redactor: SecretRedactor;
  private readonly now: () => number;

  constructor(options: { store: Store; ring: KeyRing; redactor: SecretRedactor; now: () => number }) {
    this.store = options.store;
    this.ring = options.ring;
    this.redactor = options.redactor;
    this.now = options.now;
  }

  async create(
    workspaceId: string,
    input: CredentialInput,
    createdBy: string | null,
  ): Promise<CredentialMeta> {
    const id = randomUUID();
    const now = this.now();
    const created = await this.store.credentials.create({
      id,
      workspaceId,
      name: input.name,
      type: input.type,
      fields: Object.keys(input.data).sort(),
      keyId: this.ring.current.id,
      sealed: seal(this.ring, JSON.stringify(input.data), aadOf(workspaceId, id)),
      createdBy,
      createdAt: now,
      updatedAt: now,
    });
    if (created === 'exists') throw nameTaken(input.name);
    return created;
  }

  async update(
    workspaceId: string,
    id: string,
    patch: { readonly name?: string; readonly type?: string; readonly data?: CredentialData },
  ): Promise<CredentialMeta> {
    const updated = await this.store.credentials.update(workspaceId, id, {
      ...(patch.name === undefined ? {} : { name: patch.name }),
      ...(patch.type === undefined ? {} : { type: patch.type }),
      ...(patch.data === undefined
        ? {}
        : {
            sealed: {
              sealed: seal(this.ring, JSON.stringify(patch.data), aadOf(workspaceId, id)),
              keyId: this.ring.current.id,
              fields: Object.keys(patch.data).sort(),
            },
          }),
      now: this.now(),
    });
    if (updated === 'exists') throw nameTaken(patch.name ?? '');
    if (!updated) throw notFound(`no credential with id "${id}" in this workspace`);
    return updated;
  }

  /** For nodes: the named credential of the execution's workspace, decrypted. */
  async get(workspaceId: string, name: string): Promise<CredentialData> {
    const sealed = await this.store.credentials.sealedByName(workspaceId, name);
    if (!sealed) throw notFound(`no credential named "${name}" in this workspace`);
    const data = JSON.parse(
      open(this.ring, sealed.sealed, aadOf(workspaceId, sealed.id)).toString('utf8'),
    ) as Record<string, string>;
    for (const value of Object.values(data)) this.redactor.add(value);
    return data;
  }
}

/** Binds a sealed value to its record: moved to another credential or workspace, it does not open. */
function aadOf(workspaceId: string, id: string): string {
  return `credential:${workspaceId}:${id}`;
}

function nameTaken(name: string): SwitchyardError {
  return new SwitchyardError(
    'SY_STORE_CONFLICT',
    `a credential named "${name}" exists already in this workspace`,
    {
      path: 'name',
      hint: 'Choose another name, or update the existing credential.',
    },
  );
}

function notFound(message: string): SwitchyardError {
  return new SwitchyardError('SY_CREDENTIAL_NOT_FOUND', message);
}
