/**
 * @module Which IP addresses and host names outbound requests may reach: the ranges blocked by
 * default (loopback, private, link-local, CGNAT, reserved…, and every IPv6 form that embeds one of
 * them), and the operator's allow-list (host names, `*.suffix` wildcards, IP addresses, CIDRs) that
 * opens what it names. Pure: no DNS, no sockets.
 */
import ipaddr from 'ipaddr.js';
import { SwitchyardError } from '../errors/switchyard-error.ts';

type Address = ipaddr.IPv4 | ipaddr.IPv6;
type Range = readonly [Address, number];

function cidr(text: string): Range {
  return ipaddr.parseCIDR(text);
}

/** Checked in order: the first match names the reason. */
const BLOCKED_V4: readonly (readonly [Range, string])[] = [
  [cidr('0.0.0.0/8'), 'unspecified ("this network", 0.0.0.0/8)'],
  [cidr('10.0.0.0/8'), 'private'],
  [cidr('100.64.0.0/10'), 'carrier-grade NAT (100.64.0.0/10)'],
  [cidr('127.0.0.0/8'), 'loopback'],
  [cidr('169.254.0.0/16'), 'link-local (cloud metadata lives here)'],
  [cidr('172.16.0.0/12'), 'private'],
  [cidr('192.0.0.0/24'), 'reserved for IETF protocol assignments'],
  [cidr('192.0.2.0/24'), 'reserved for documentation'],
  [cidr('192.88.99.0/24'), 'the 6to4 relay anycast range'],
  [cidr('192.168.0.0/16'), 'private'],
  [cidr('198.18.0.0/15'), 'reserved for benchmarking'],
  [cidr('198.51.100.0/24'), 'reserved for documentation'],
  [cidr('203.0.113.0/24'), 'reserved for documentation'],
  [cidr('224.0.0.0/4'), 'multicast'],
  [cidr('255.255.255.255/32'), 'broadcast'],
  [cidr('240.0.0.0/4'), 'reserved (240.0.0.0/4)'],
];

/** IPv6 ranges blocked whatever they hold; the forms that embed an IPv4 address are handled apart. */
const BLOCKED_V6: readonly (readonly [Range, string])[] = [
  [cidr('::/128'), 'unspecified'],
  [cidr('::1/128'), 'loopback'],
  // NAT64 reaches any IPv4 address through a translator, internal ones included.
  [cidr('64:ff9b::/96'), 'a NAT64 address (64:ff9b::/96)'],
  [cidr('64:ff9b:1::/48'), 'a local-use NAT64 address (64:ff9b:1::/48)'],
  [cidr('::ffff:0:0:0/96'), 'an IPv4-translated address (::ffff:0:0:0/96)'],
  [cidr('::/96'), 'an IPv4-compatible address (deprecated, ::/96)'],
  [cidr('100::/64'), 'reserved for discarding (100::/64)'],
  [cidr('2001:2::/48'), 'reserved for benchmarking'],
  [cidr('2001:10::/28'), 'reserved (ORCHID)'],
  [cidr('2001:db8::/32'), 'reserved for documentation'],
  [cidr('3fff::/20'), 'reserved for documentation'],
  [cidr('fc00::/7'), 'unique-local (fc00::/7)'],
  [cidr('fe80::/10'), 'link-local (fe80::/10)'],
  [cidr('fec0::/10'), 'site-local (deprecated, fec0::/10)'],
  [cidr('ff00::/8'), 'multicast'],
];

const GLOBAL_UNICAST_V6 = cidr('2000::/3');
const TEREDO = cidr('2001::/32');
const SIX_TO_FOUR = cidr('2002::/16');

function v4FromParts(high: number, low: number): ipaddr.IPv4 {
  return new ipaddr.IPv4([high >> 8, high & 0xff, low >> 8, low & 0xff]);
}

function firstMatch(address: Address, table: readonly (readonly [Range, string])[]): string | undefined {
  for (const [[network, bits], reason] of table) {
    if (address.kind() === network.kind() && address.match(network, bits)) return reason;
  }
  return undefined;
}

function v6BlockReason(address: ipaddr.IPv6): string | undefined {
  if (address.isIPv4MappedAddress()) {
    const v4 = address.toIPv4Address();
    const inner = firstMatch(v4, BLOCKED_V4);
    return `an IPv4-mapped form of ${v4}${inner ? ` (${inner})` : ''}; use the IPv4 address itself`;
  }
  const listed = firstMatch(address, BLOCKED_V6);
  if (listed) return listed;
  const [, p1 = 0, p2 = 0, p3 = 0, , , p6 = 0, p7 = 0] = address.parts;
  if (address.match(SIX_TO_FOUR[0], SIX_TO_FOUR[1])) {
    const v4 = v4FromParts(p1, p2);
    const inner = firstMatch(v4, BLOCKED_V4);
    if (inner) return `a 6to4 address embedding ${v4}, which is ${inner}`;
  }
  if (address.match(TEREDO[0], TEREDO[1])) {
    // Teredo carries the server's IPv4 address as is and the client's with every bit flipped.
    for (const v4 of [v4FromParts(p2, p3), v4FromParts(p6 ^ 0xffff, p7 ^ 0xffff)]) {
      const inner = firstMatch(v4, BLOCKED_V4);
      if (inner) return `a Teredo address embedding ${v4}, which is ${inner}`;
    }
  }
  if (!address.match(GLOBAL_UNICAST_V6[0], GLOBAL_UNICAST_V6[1])) {
    return 'reserved (outside the global unicast range 2000::/3)';
  }
  return undefined;
}

/**
 * Why an IP address is blocked by default (a phrase that reads after "… is"), or undefined when it
 * is a public unicast address. Text that is not an IP address is blocked too.
 */
export function addressBlockReason(address: string): string | undefined {
  const bare = address.startsWith('[') && address.endsWith(']') ? address.slice(1, -1) : address;
  if (!ipaddr.isValid(bare)) return 'not an IP address';
  const parsed = ipaddr.parse(bare);
  return parsed.kind() === 'ipv4' ? firstMatch(parsed, BLOCKED_V4) : v6BlockReason(parsed as ipaddr.IPv6);
}

/** Why a host name is blocked before any DNS lookup, or undefined. `localhost` never leaves the machine. */
export function hostBlockReason(host: string): string | undefined {
  const name = normaliseHost(host);
  return name === 'localhost' || name.endsWith('.localhost') ? 'a localhost name' : undefined;
}

/** Lower case, without brackets or the trailing dot that makes a name fully qualified. */
export function normaliseHost(host: string): string {
  const bare = host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
  return bare.toLowerCase().replace(/\.$/, '');
}

export interface AllowList {
  /** Stable text of the entries, for caching one client per allow-list. */
  readonly key: string;
  allowsHost(host: string): boolean;
  allowsAddress(address: string): boolean;
}

/**
 * Compiles allow-list entries: `api.internal` (that name), `*.corp.example` (names under it, not
 * itself), `10.1.2.3` / `[fd00::1]` (that address), `10.0.0.0/8` / `fd00::/8` (that range).
 * `source` names where the entries came from in the SY_CONFIG_INVALID error a bad one raises.
 */
export function compileAllowList(entries: readonly string[], source = 'outbound allow-list'): AllowList {
  const hosts = new Set<string>();
  const suffixes: string[] = [];
  const ranges: Range[] = [];
  const keys: string[] = [];
  for (const raw of entries) {
    const entry = normaliseHost(raw.trim());
    const range = parseRange(entry);
    if (range) {
      ranges.push(range);
      keys.push(`${range[0]}/${range[1]}`);
    } else if (entry.startsWith('*.') && isHostName(entry.slice(2))) {
      suffixes.push(entry.slice(1));
      keys.push(entry);
    } else if (isHostName(entry)) {
      hosts.add(entry);
      keys.push(entry);
    } else {
      throw new SwitchyardError(
        'SY_CONFIG_INVALID',
        `${source}: "${raw}" is not a host name, *.suffix, IP address or CIDR range`,
        { hint: 'Write entries like api.internal, *.corp.example, 10.1.2.3 or 10.0.0.0/8 (dotted decimal).' },
      );
    }
  }
  return {
    key: [...new Set(keys)].sort().join(','),
    allowsHost: (host) => {
      const name = normaliseHost(host);
      return hosts.has(name) || suffixes.some((suffix) => name.endsWith(suffix));
    },
    allowsAddress: (address) => {
      const bare = normaliseHost(address);
      if (!ipaddr.isValid(bare)) return false;
      // An IPv4-mapped address reaches the same host as the IPv4 address it holds.
      const forms = [ipaddr.parse(bare), ipaddr.process(bare)];
      return ranges.some(([network, bits]) =>
        forms.some((form) => form.kind() === network.kind() && form.match(network, bits)),
      );
    },
  };
}

/** Only canonical spellings: an operator's `0x7f.1` is far more likely a mistake than intent. */
function parseRange(entry: string): Range | undefined {
  const [address = '', bits, extra] = entry.split('/');
  if (extra !== undefined) return undefined;
  const canonical = ipaddr.IPv4.isValidFourPartDecimal(address) || ipaddr.IPv6.isValid(address);
  if (!canonical) return undefined;
  const parsed = ipaddr.parse(address);
  const max = parsed.kind() === 'ipv4' ? 32 : 128;
  if (bits === undefined) return [parsed, max];
  if (!/^\d{1,3}$/.test(bits) || Number(bits) > max) return undefined;
  return [parsed, Number(bits)];
}

const LABEL = /^(?!-)[a-z0-9_-]{1,63}(?<!-)$/;

/** An ASCII (punycode) host name that a URL keeps as it is, so it is not an IPv4 address in disguise. */
function isHostName(name: string): boolean {
  if (name.length === 0 || name.length > 253 || !name.split('.').every((label) => LABEL.test(label))) {
    return false;
  }
  return URL.parse(`http://${name}/`)?.hostname === name;
}

/** Throws SY_OUTBOUND_BLOCKED unless `address` (reached through `host`) is public or allowed. */
export function assertAddressAllowed(host: string, address: string, allow: AllowList): void {
  if (allow.allowsHost(host) || allow.allowsAddress(address)) return;
  const reason = addressBlockReason(address);
  if (reason === undefined) return;
  const bare = normaliseHost(address);
  const via = normaliseHost(host) === bare ? '' : ` (${normaliseHost(host)} resolves to it)`;
  throw new SwitchyardError('SY_OUTBOUND_BLOCKED', `${bare} is ${reason}${via}`, {
    hint: `Requests to internal, local and reserved addresses are blocked by default; an operator can open ${bare} (or its range, or the host name) in the workspace's outbound allow-list.`,
    details: { host: normaliseHost(host), address: bare, reason },
  });
}

/** Throws SY_OUTBOUND_BLOCKED for a host name refused before DNS (localhost names), unless allowed. */
export function assertHostAllowed(host: string, allow: AllowList): void {
  const reason = hostBlockReason(host);
  if (reason === undefined || allow.allowsHost(host)) return;
  const name = normaliseHost(host);
  throw new SwitchyardError('SY_OUTBOUND_BLOCKED', `${name} is ${reason}`, {
    hint: `Local names are blocked by default; an operator can open ${name} in the workspace's outbound allow-list.`,
    details: { host: name, reason },
  });
}
