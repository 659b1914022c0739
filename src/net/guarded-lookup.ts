/**
 * @module A `dns.lookup`-compatible function for sockets: it resolves every address of the name,
 * refuses the name whole if any address is blocked (and not allowed), and hands the socket only the
 * addresses it checked. The check and the connection use one answer, so a name cannot resolve to a
 * public address for the check and a private one for the connection (DNS rebinding).
 */
import { promises as dns, type LookupAddress, type LookupOptions } from 'node:dns';
import { SwitchyardError } from '../errors/switchyard-error.ts';
import { type AllowList, assertAddressAllowed, assertHostAllowed } from './address-policy.ts';

export interface ResolvedAddress {
  readonly address: string;
  readonly family: 4 | 6;
}

/** Every address of a host name; injectable so that tests can play a rebinding DNS server. */
export type Resolver = (host: string) => Promise<readonly ResolvedAddress[]>;

export type LookupCallback = (
  error: NodeJS.ErrnoException | null,
  address: string | LookupAddress[],
  family?: number,
) => void;

/** The shape `net.connect({ lookup })` calls. */
export type LookupFunction = (hostname: string, options: LookupOptions, callback: LookupCallback) => void;

export const systemResolver: Resolver = async (host) => {
  const answers = await dns.lookup(host, { all: true, order: 'verbatim' });
  return answers.map(({ address, family }) => ({ address, family: family === 6 ? 6 : 4 }));
};

/** Resolves `host` and checks every answer; resolves to the checked addresses or rejects with SY_OUTBOUND_*. */
async function resolveChecked(
  host: string,
  allow: AllowList,
  resolve: Resolver,
): Promise<readonly ResolvedAddress[]> {
  assertHostAllowed(host, allow);
  let answers: readonly ResolvedAddress[];
  try {
    answers = await resolve(host);
  } catch (error) {
    throw new SwitchyardError('SY_OUTBOUND_DNS', `could not resolve ${host}`, { cause: error });
  }
  if (answers.length === 0) throw new SwitchyardError('SY_OUTBOUND_DNS', `${host} has no addresses`);
  for (const { address } of answers) assertAddressAllowed(host, address, allow);
  return answers;
}

export function createGuardedLookup(allow: AllowList, resolve: Resolver = systemResolver): LookupFunction {
  return (hostname, options, callback) => {
    resolveChecked(hostname, allow, resolve).then(
      (answers) => {
        const wanted = options.family === 4 || options.family === 6 ? options.family : undefined;
        const usable = answers.filter((answer) => wanted === undefined || answer.family === wanted);
        const first = usable[0];
        if (!first) {
          callback(new SwitchyardError('SY_OUTBOUND_DNS', `${hostname} has no IPv${wanted} address`), '');
        } else if (options.all) {
          callback(
            null,
            usable.map(({ address, family }) => ({ address, family })),
          );
        } else {
          callback(null, first.address, first.family);
        }
      },
      (error: NodeJS.ErrnoException) => callback(error, ''),
    );
  };
}
