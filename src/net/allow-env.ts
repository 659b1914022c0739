/**
 * @module The operator's outbound allow-list from the environment: SWITCHYARD_OUTBOUND_ALLOW, a
 * comma-separated list of host names, `*.suffix` wildcards, IP addresses and CIDRs.
 */
import { compileAllowList } from './address-policy.ts';

export const OUTBOUND_ALLOW_VARIABLE = 'SWITCHYARD_OUTBOUND_ALLOW';

/** The entries of SWITCHYARD_OUTBOUND_ALLOW; a bad entry throws SY_CONFIG_INVALID naming it. */
export function outboundAllowFromEnv(env: NodeJS.ProcessEnv = process.env): string[] {
  const entries = (env[OUTBOUND_ALLOW_VARIABLE] ?? '')
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '');
  compileAllowList(entries, OUTBOUND_ALLOW_VARIABLE);
  return entries;
}
