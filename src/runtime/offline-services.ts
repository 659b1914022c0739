/**
 * @module Services for places with no vault and no outbound client configured (tests of the
 * engine, benchmarks): every credential is unknown and every outbound request is refused.
 */
import { SwitchyardError } from '../errors/switchyard-error.ts';
import type { OutboundFetch } from '../nodes/context.ts';
import type { CredentialSource } from './services.ts';

export const noCredentials: CredentialSource = {
  get: async (_workspaceId, name) => {
    throw new SwitchyardError(
      'SY_CREDENTIAL_NOT_FOUND',
      `no credential named "${name}": no vault is open here`,
      {
        hint: "Credentials live in the server's vault: run the workflow through `switchyard serve`.",
      },
    );
  },
};

export const noOutbound = (): OutboundFetch => async (request) => {
  throw new SwitchyardError(
    'SY_OUTBOUND_BLOCKED',
    `outbound requests are off here (${request.method} ${request.url})`,
  );
};
