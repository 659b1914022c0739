/**
 * @module The URL half of the SSRF guard: parses a URL the way the WHATWG parser does (so
 * `http://0x7f.1/`, `http://2130706433/` and `http://ⓛocalhost/` all become the host they really
 * are), refuses schemes other than http(s) and embedded credentials, and refuses literal IP hosts
 * and localhost names that are blocked. Host names are checked again, with their addresses, when
 * the socket resolves them (guarded-lookup.ts).
 */
import { isIP } from 'node:net';
import { SwitchyardError } from '../errors/switchyard-error.ts';
import { type AllowList, assertAddressAllowed, assertHostAllowed, normaliseHost } from './address-policy.ts';

/** Origin and path, never the query or fragment, which may carry keys. */
export function describeUrl(url: URL): string {
  return `${url.origin}${url.pathname}`;
}

/** Parses `raw` (relative to `base` for redirects) and checks what can be checked without DNS. */
export function guardUrl(raw: string, allow: AllowList, base?: URL): URL {
  const url = URL.parse(raw, base?.href);
  if (!url) {
    throw new SwitchyardError('SY_OUTBOUND_URL_INVALID', `"${raw.slice(0, 200)}" is not a valid URL`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new SwitchyardError(
      'SY_OUTBOUND_URL_INVALID',
      `the ${url.protocol} scheme is not allowed: outbound requests use http or https`,
    );
  }
  if (url.username !== '' || url.password !== '') {
    throw new SwitchyardError(
      'SY_OUTBOUND_URL_INVALID',
      `the URL for ${url.host} carries credentials (user:password@); they are not allowed in URLs`,
      { hint: 'Store the secret as a credential and let the node send it (e.g. auth: basic).' },
    );
  }
  const host = normaliseHost(url.hostname);
  if (isIP(host) !== 0) assertAddressAllowed(host, host, allow);
  else assertHostAllowed(host, allow);
  return url;
}
