/** The address policy and URL guard over every disguise of an internal address we know of. */
import { describe, expect, it } from 'vitest';
import { SwitchyardError } from '../errors/switchyard-error.ts';
import { addressBlockReason, assertAddressAllowed, compileAllowList } from './address-policy.ts';
import { guardUrl } from './outbound-url.ts';

const none = compileAllowList([]);

function codeOf(run: () => unknown): string {
  try {
    run();
    return 'ok';
  } catch (error) {
    if (error instanceof SwitchyardError) return error.code;
    throw error;
  }
}

const BLOCKED_URLS = [
  // loopback, in every spelling the URL parser accepts
  'http://127.0.0.1/',
  'http://127.0.0.1:8080/admin',
  'http://127.1/',
  'http://127.0.1/',
  'http://2130706433/',
  'http://0x7f.1/',
  'http://0x7f000001/',
  'http://017700000001/',
  'http://0177.0.0.1/',
  'http://0x7F.0x00.0x00.0x01/',
  'http://127.0.0.1./',
  'http://127.0.0.1%2e/',
  'http://１２７.０.０.１/',
  'http://127.255.255.254/',
  'http://[::1]/',
  'http://[0:0:0:0:0:0:0:1]/',
  'http://localhost/',
  'http://localhost./',
  'http://LOCALHOST/',
  'http://LocalHost:3000/',
  'http://%6c%6fcalhost/',
  'http://loc%61lhost/',
  'http://ⓛocalhost/',
  'http://api.localhost/',
  // unspecified
  'http://0/',
  'http://0.0.0.0/',
  'http://00000/',
  'http://0.1.2.3/',
  'http://[::]/',
  // private
  'http://10.0.0.5/',
  'http://10.255.255.255/',
  'http://172.16.0.1/',
  'http://172.31.255.255/',
  'http://192.168.1.1/',
  'http://0xc0.0xa8.1.1/',
  'http://3232235777/',
  // link-local and cloud metadata
  'http://169.254.169.254/latest/meta-data',
  'http://169.254.0.1/',
  'http://2852039166/',
  'http://[fe80::1]/',
  'http://[febf::1]/',
  // carrier-grade NAT (incl. Alibaba's metadata address)
  'http://100.64.0.1/',
  'http://100.100.100.200/',
  'http://100.127.255.255/',
  // reserved, benchmarking, documentation, multicast, broadcast
  'http://192.0.0.1/',
  'http://192.0.0.170/',
  'http://192.0.2.1/',
  'http://198.18.0.1/',
  'http://198.19.255.255/',
  'http://198.51.100.7/',
  'http://203.0.113.9/',
  'http://224.0.0.1/',
  'http://239.255.255.250/',
  'http://240.0.0.1/',
  'http://255.255.255.255/',
  // IPv6 unique-local, site-local, multicast, documentation
  'http://[fd00::1]/',
  'http://[fc00::1]/',
  'http://[fec0::1]/',
  'http://[ff02::1]/',
  'http://[2001:db8::1]/',
  // IPv6 forms that embed IPv4
  'http://[::ffff:127.0.0.1]/',
  'http://[::ffff:7f00:1]/',
  'http://[::ffff:169.254.169.254]/',
  'http://[::ffff:10.0.0.1]/',
  'http://[::ffff:8.8.8.8]/',
  'http://[::127.0.0.1]/',
  'http://[::7f00:1]/',
  'http://[::8.8.8.8]/',
  'http://[::ffff:0:7f00:1]/',
  'http://[64:ff9b::a9fe:a9fe]/',
  'http://[64:ff9b::169.254.169.254]/',
  'http://[64:ff9b::8.8.8.8]/',
  'http://[64:ff9b:1::a00:1]/',
  'http://[2002:7f00:1::]/',
  'http://[2002:a9fe:a9fe::1]/',
  'http://[2002:c0a8:101::]/',
  // Teredo: server 127.0.0.1, and a client 10.0.0.1 (its bits flipped)
  'http://[2001:0:7f00:1::1]/',
  'http://[2001:0:4136:e378:8000:63bf:f5ff:fffe]/',
  // outside global unicast
  'http://[100::1]/',
  'http://[4000::1]/',
];

const INVALID_URLS = [
  'file:///etc/passwd',
  'ftp://example.com/file',
  'gopher://example.com:70/_stats',
  'data:text/plain,hello',
  'javascript:alert(1)',
  'dict://127.0.0.1:11211/stats',
  'ws://example.com/',
  'http://user:pass@example.com/',
  'http://user@example.com/',
  'https://:secret@example.com/',
  'http://127.0.0.1:80@evil.example/',
  'not a url',
  '/relative/path',
  'http://1.2.3.4.5/',
  'http://[fe80::1%25eth0]/',
  '',
];

const ALLOWED_URLS = [
  'https://example.com/',
  'https://api.example.com/v1/items?x=1',
  'http://8.8.8.8/',
  'http://1.1.1.1:8080/',
  'http://134744072/',
  'http://93.184.215.14/',
  'http://100.63.255.255/',
  'http://100.128.0.1/',
  'http://172.15.255.255/',
  'http://172.32.0.1/',
  'http://169.253.255.255/',
  'http://198.20.0.1/',
  'http://223.255.255.255/',
  'http://[2606:4700:4700::1111]/',
  'http://[2001:4860:4860::8888]/',
  'http://[2002:808:808::1]/',
  'http://localhost.example.com/',
  'http://127.0.0.1.example.com/',
  'https://EXAMPLE.com./',
];

describe('guardUrl, no allow-list', () => {
  it.each(BLOCKED_URLS)('blocks %s', (url) => {
    expect(codeOf(() => guardUrl(url, none))).toBe('SY_OUTBOUND_BLOCKED');
  });

  it.each(INVALID_URLS)('refuses %s as invalid', (url) => {
    expect(codeOf(() => guardUrl(url, none))).toBe('SY_OUTBOUND_URL_INVALID');
  });

  it.each(ALLOWED_URLS)('lets %s through', (url) => {
    expect(codeOf(() => guardUrl(url, none))).toBe('ok');
  });

  it('covers a table of well over 60 forms', () => {
    expect(BLOCKED_URLS.length + INVALID_URLS.length + ALLOWED_URLS.length).toBeGreaterThan(100);
  });

  it('says which address and why, and points at the allow-list', () => {
    const error = (() => {
      try {
        guardUrl('http://10.0.0.5/x', none);
      } catch (thrown) {
        return thrown as SwitchyardError;
      }
    })();
    expect(error?.message).toBe('10.0.0.5 is private');
    expect(error?.hint).toMatch(/allow-list/);
    expect(error?.retryable).toBe(false);
    expect(() => guardUrl('http://2130706433/', none)).toThrow('127.0.0.1 is loopback');
    expect(() => guardUrl('http://169.254.169.254/', none)).toThrow(/link-local \(cloud metadata/);
    expect(() => guardUrl('http://[::ffff:7f00:1]/', none)).toThrow(
      /IPv4-mapped form of 127\.0\.0\.1 \(loopback\)/,
    );
    expect(() => guardUrl('http://[2002:7f00:1::]/', none)).toThrow(/6to4 address embedding 127\.0\.0\.1/);
    expect(() => guardUrl('http://localhost./', none)).toThrow('localhost is a localhost name');
  });

  it('never repeats credentials from the URL in the error', () => {
    expect(() => guardUrl('http://alice:s3cret@example.com/', none)).toThrow(/credentials/);
    try {
      guardUrl('http://alice:s3cret@example.com/', none);
    } catch (error) {
      expect(String((error as Error).message)).not.toContain('s3cret');
    }
  });
});

describe('addressBlockReason', () => {
  it.each([
    ['10.0.0.5', 'private'],
    ['127.0.0.1', 'loopback'],
    ['::1', 'loopback'],
    ['::', 'unspecified'],
    ['0.0.0.0', 'unspecified ("this network", 0.0.0.0/8)'],
    ['255.255.255.255', 'broadcast'],
    ['fd12:3456::1', 'unique-local (fc00::/7)'],
    ['fe80::abcd', 'link-local (fe80::/10)'],
    ['64:ff9b::808:808', 'a NAT64 address (64:ff9b::/96)'],
    [
      '2001:0:4136:e378:8000:63bf:3fff:fdd2',
      'a Teredo address embedding 192.0.2.45, which is reserved for documentation',
    ],
    ['2001:0:4136:e378:8000:63bf:f7f7:f7f7', undefined],
    ['8.8.8.8', undefined],
    ['2a00:1450:4001:80e::200e', undefined],
    ['not-an-ip', 'not an IP address'],
  ])('%s → %s', (address, reason) => {
    expect(addressBlockReason(address)).toBe(reason);
  });
});

describe('allow-list', () => {
  const allow = compileAllowList([
    '127.0.0.1/32',
    'vault.internal',
    '*.corp.example',
    'fd00::/8',
    '10.1.2.3',
  ]);

  it('opens exactly the addresses, ranges and names it lists', () => {
    expect(codeOf(() => guardUrl('http://127.0.0.1:9000/', allow))).toBe('ok');
    expect(codeOf(() => guardUrl('http://[::ffff:127.0.0.1]/', allow))).toBe('ok');
    expect(codeOf(() => guardUrl('http://2130706433/', allow))).toBe('ok');
    expect(codeOf(() => guardUrl('http://127.0.0.2/', allow))).toBe('SY_OUTBOUND_BLOCKED');
    expect(codeOf(() => guardUrl('http://[::1]/', allow))).toBe('SY_OUTBOUND_BLOCKED');
    expect(codeOf(() => guardUrl('http://[fd00::5]/', allow))).toBe('ok');
    expect(codeOf(() => guardUrl('http://[fc00::5]/', allow))).toBe('SY_OUTBOUND_BLOCKED');
    expect(codeOf(() => guardUrl('http://10.1.2.3/', allow))).toBe('ok');
    expect(codeOf(() => guardUrl('http://10.1.2.4/', allow))).toBe('SY_OUTBOUND_BLOCKED');
    expect(codeOf(() => guardUrl('http://169.254.169.254/', allow))).toBe('SY_OUTBOUND_BLOCKED');
  });

  it('opens names whatever they resolve to, and wildcards only below the suffix', () => {
    expect(codeOf(() => assertAddressAllowed('vault.internal', '10.9.9.9', allow))).toBe('ok');
    expect(codeOf(() => assertAddressAllowed('VAULT.internal.', '10.9.9.9', allow))).toBe('ok');
    expect(codeOf(() => assertAddressAllowed('a.b.corp.example', '192.168.0.1', allow))).toBe('ok');
    expect(codeOf(() => assertAddressAllowed('corp.example', '192.168.0.1', allow))).toBe(
      'SY_OUTBOUND_BLOCKED',
    );
    expect(codeOf(() => assertAddressAllowed('evilcorp.example', '192.168.0.1', allow))).toBe(
      'SY_OUTBOUND_BLOCKED',
    );
    expect(codeOf(() => assertAddressAllowed('other.example', '10.9.9.9', allow))).toBe(
      'SY_OUTBOUND_BLOCKED',
    );
  });

  it('can open localhost by name', () => {
    expect(codeOf(() => guardUrl('http://localhost:8080/', compileAllowList(['localhost'])))).toBe('ok');
  });

  it('refuses entries it cannot read, naming where they came from', () => {
    for (const bad of [
      '10.0.0.0/33',
      '0x7f.1',
      '127.1',
      'http://x.example',
      'a b',
      '*.',
      '10.0.0.1/8/1',
      '-x.example',
    ]) {
      expect(() => compileAllowList([bad], 'SWITCHYARD_OUTBOUND_ALLOW')).toThrow(
        expect.objectContaining({ code: 'SY_CONFIG_INVALID', message: expect.stringContaining(bad) }),
      );
    }
    expect(() => compileAllowList(['2130706433'], 'X')).toThrow(/^X: /);
  });

  it('has one key per set of entries, whatever their order or spelling', () => {
    expect(compileAllowList(['B.example', '10.0.0.0/8']).key).toBe(
      compileAllowList(['10.0.0.0/8', 'b.example.']).key,
    );
    expect(compileAllowList(['a.example']).key).not.toBe(compileAllowList(['b.example']).key);
  });
});
