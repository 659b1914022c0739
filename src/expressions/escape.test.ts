/**
 * Attempts to reach the host from an expression, or to stall or exhaust it. Every attempt must end
 * in a harmless value or a SwitchyardError, quickly, with the process untouched.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { compileValue } from '../core/expressions/value-template.ts';
import { SwitchyardError } from '../errors/switchyard-error.ts';
import { ExpressionEngine } from './engine.ts';

const engine = new ExpressionEngine({ timeoutMs: 200 });

const input = { total: 3, name: 'Ada', items: [{ a: 1 }, { a: 2 }] };

type Outcome = { value: unknown } | { error: SwitchyardError };

async function attempt(source: string, data: unknown = input): Promise<Outcome & { ms: number }> {
  const { compiled, problems } = compileValue(`{{ ${source} }}`);
  expect(problems).toEqual([]);
  const started = performance.now();
  try {
    const value = await engine.evaluate(compiled, { input: data });
    return { value, ms: performance.now() - started };
  } catch (error) {
    expect(error).toBeInstanceOf(SwitchyardError);
    return { error: error as SwitchyardError, ms: performance.now() - started };
  }
}

async function refused(source: string, code: string, data?: unknown): Promise<SwitchyardError> {
  const outcome = await attempt(source, data);
  if (!('error' in outcome)) throw new Error(`${source} was not refused: ${JSON.stringify(outcome.value)}`);
  expect(outcome.error.code, `${source}: ${outcome.error.message}`).toBe(code);
  return outcome.error;
}

/** A chain of objects each holding the previous one twice: 2^levels leaves, `levels` objects. */
function doublingChain(name: string, levels: number): string {
  const steps = [`$${name}0 := {"x": 1}`];
  for (let level = 1; level <= levels; level++) {
    steps.push(`$${name}${level} := {"l": $${name}${level - 1}, "r": $${name}${level - 1}}`);
  }
  return steps.join('; ');
}

const globals = globalThis as Record<string, unknown>;

afterAll(() => {
  // Nothing an expression did may have reached the host.
  expect(globals.pwned).toBeUndefined();
  expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  expect(Object.prototype).not.toHaveProperty('polluted');
  expect(typeof process.exit).toBe('function');
});

describe('no path to the host', () => {
  // 'nothing': JSONata reads only own properties of data and never looks inside a function;
  // a JSONata code: JSONata refused the call itself.
  it.each([
    ['$input.constructor', 'nothing'],
    ['$input.__proto__', 'nothing'],
    ['$input.constructor.constructor("globalThis.pwned = 1")()', 'nothing'],
    ['$$.constructor.constructor("return process")()', 'nothing'],
    ['$string.constructor', 'nothing'],
    ['$string.implementation', 'nothing'],
    ['$string.*', 'nothing'],
    ['[$string][0].implementation', 'nothing'],
    ['$lookup($, "constructor")', 'nothing'],
    ['$lookup($, "__proto__")', 'nothing'],
    ['$lookup($string, "implementation")', 'nothing'],
    ['$keys($string)', 'nothing'],
    ['$keys(function($x) { $x })', 'nothing'],
    ['(function($x) { $x }).environment', 'nothing'],
    ['$lookup(/x/, "constructor")', 'nothing'],
    ['"".constructor', 'nothing'],
    ['$type($input.constructor)', 'nothing'],
    ['$process', 'nothing'],
    ['$globalThis', 'nothing'],
    ['$each(function($x) { $x }, function($v, $k) { $k })', 'T0410'],
    ['$sift($string, function($v) { true })', 'T0410'],
    ['$require("fs")', 'T1006'],
    ['$import("fs")', 'T1006'],
  ])('%s reaches nothing', async (source, expected) => {
    const outcome = await attempt(source);
    if (expected === 'nothing') {
      expect(outcome).toMatchObject({ value: undefined });
    } else {
      expect('error' in outcome && outcome.error.details).toMatchObject({ jsonataCode: expected });
    }
    expect(globals.pwned).toBeUndefined();
  });

  it('shows nothing inside a function through the descendant operator', async () => {
    // `**` yields the function itself (and nothing in it), which is not data.
    for (const source of ['$string.**', '(function($x) { $x }).**']) {
      const error = await refused(source, 'SY_EXPR_EVAL');
      expect(error.message).toContain('returned a function');
    }
  });

  it('refuses to hand a function value back to the caller', async () => {
    await refused('$spread($string)', 'SY_EXPR_EVAL');
    await refused('{"f": $string}', 'SY_EXPR_EVAL');
  });

  it('does not treat data shaped like a JSONata function as code', async () => {
    const fake = {
      lambda: {
        _jsonata_lambda: true,
        body: { type: 'string', value: 'pwned' },
        environment: {},
        arguments: [],
      },
      native: { _jsonata_function: true, implementation: 'globalThis.pwned = 1', signature: {} },
      thunk: { _jsonata_lambda: true, thunk: true, body: { procedure: { type: 'variable', value: 'eval' } } },
    };
    for (const source of [
      '$input.lambda()',
      '$input.native()',
      '$map([1], $input.lambda)',
      '(function($x){$x})($input.thunk)',
    ]) {
      const outcome = await attempt(source, fake);
      expect('error' in outcome || outcome.value === undefined, source).toBe(true);
      expect(globals.pwned).toBeUndefined();
    }
  });

  it.each([
    '$merge([{"__proto__": {"polluted": true}}])',
    '{"__proto__": {"polluted": true}}',
    '$input ~> |$|{"__proto__": {"polluted": true}}|',
    '$spread({"__proto__": {"polluted": true}})',
    '[{"k": "__proto__", "v": {"polluted": true}}]{k: v}',
  ])('%s pollutes no prototype', async (source) => {
    const outcome = await attempt(source, JSON.parse('{"__proto__": {"polluted": true}}'));
    expect('value' in outcome).toBe(true);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    if ('value' in outcome && outcome.value !== null && typeof outcome.value === 'object') {
      expect(Object.getPrototypeOf(outcome.value)).toBe(
        Array.isArray(outcome.value) ? Array.prototype : Object.prototype,
      );
    }
  });
});

describe('data is never evaluated as an expression', () => {
  it.each([
    '$eval("1 + 1")',
    '$eval($input.code)',
    '($e := $eval; $e("1"))',
    '$map(["1 + 1"], $eval)',
    '$eval(?)("1")',
    '"1 + 1" ~> $eval',
  ])('%s is refused', async (source) => {
    const error = await refused(source, 'SY_EXPR_FORBIDDEN', { code: 'globalThis.pwned = 1' });
    expect(error.message).toContain('$eval');
  });

  it('passes strings that look like expressions through as text', async () => {
    const data = { a: "{{ $eval('1+1') }}", b: '{{ 7*6 }}' };
    expect(await attempt('a', data)).toMatchObject({ value: "{{ $eval('1+1') }}" });
    expect(await attempt('b', data)).toMatchObject({ value: '{{ 7*6 }}' });
    expect(await attempt('a & b', data)).toMatchObject({ value: "{{ $eval('1+1') }}{{ 7*6 }}" });
  });
});

describe('no way to stall the process', () => {
  it('stops tail recursion at the time limit and deep recursion at the depth limit', async () => {
    const loop = await attempt('($f := function($n) { $f($n + 1) }; $f(0))');
    expect('error' in loop && loop.error.code).toBe('SY_EXPR_TIMEOUT');
    expect(loop.ms).toBeLessThan(1_500);
    await refused('($f := function($n) { 1 + $f($n + 1) }; $f(0))', 'SY_EXPR_LIMIT');
  });

  it('runs catastrophic regexes in linear time', async () => {
    const text = `${'a'.repeat(50_000)}!`;
    for (const source of [
      '$match(text, /(a+)+$/)',
      '$replace(text, /(a|aa)+$/, "x")',
      '$contains(text, /(a*)*b/)',
      '$split(text, /(a+)+b/)',
      '$match(text, /(A+)+$/i)',
    ]) {
      const outcome = await attempt(source, { text });
      expect('value' in outcome, source).toBe(true);
      expect(outcome.ms, source).toBeLessThan(1_000);
    }
  });

  it('refuses regexes that cannot run in linear time, before running anything', async () => {
    for (const source of [
      '$match("aa", /(a)\\1/)',
      '$match("ab", /a(?=b)/)',
      '$contains("x", /(.*a){20}/)',
    ]) {
      const error = await refused(`false ? ${source} : 1`, 'SY_EXPR_FORBIDDEN');
      expect(error.message).toContain('linear time');
    }
  });

  it('stops a $toMillis picture that backtracks, and keeps parsing dates afterwards', async () => {
    const hostile = { stamp: `${'I'.repeat(90)}1`, picture: '[YI][MI][DI][HI][mI][sI][fI][YI][MI][DI]' };
    const stuck = await attempt('$toMillis(stamp, picture)', hostile);
    expect('error' in stuck && stuck.error.code).toBe('SY_EXPR_TIMEOUT');
    expect(stuck.ms).toBeLessThan(2_000);
    expect(await attempt('$toMillis("2024-03-04", "[Y0001]-[M01]-[D01]")')).toMatchObject({
      value: Date.UTC(2024, 2, 4),
    });
  });

  it('answers other work while a $toMillis parse is stopped', async () => {
    const hostile = { stamp: `${'I'.repeat(90)}1`, picture: '[YI][MI][DI][HI][mI][sI][fI][YI][MI][DI]' };
    const [stuck, fine] = await Promise.all([
      attempt('$toMillis(stamp, picture)', hostile),
      attempt('$toMillis("2024-03-04", "[Y0001]-[M01]-[D01]")'),
    ]);
    expect('error' in stuck && stuck.error.code).toBe('SY_EXPR_TIMEOUT');
    expect(fine).toMatchObject({ value: Date.UTC(2024, 2, 4) });
  });

  it('makes $distinct linear', async () => {
    const outcome = await attempt('$count($distinct([1..100000]))');
    expect(outcome).toMatchObject({ value: 100_000 });
    expect(outcome.ms).toBeLessThan(1_000);
  });

  it('stops a long sort at the time limit', async () => {
    const outcome = await attempt('$count($sort([1..100000], function($a, $b) { $a < $b }))');
    expect('error' in outcome && outcome.error.code).toBe('SY_EXPR_TIMEOUT');
  });
});

describe('no way to exhaust memory', () => {
  it.each([
    ['[1..100000000]', 'a range'],
    ['$count([1..200000])', 'a long sequence'],
    ['$pad("", 1000000000)', 'a huge pad'],
    ['$pad("", 1000000, "abcdefghij")', 'a pad with a long fill'],
    ['($s := $pad("", 10000, "a"); $replace($s, "a", $s))', 'a replacement that multiplies'],
    ['($s := $pad("", 10000, "a"); $replace($s, /a/, $s))', 'a regex replacement that multiplies'],
    ['$count($split($pad("", 200000, "a"), ""))', 'a split into characters'],
    ['$count($split($pad("", 200000, ","), ","))', 'a split into many pieces'],
    ['$count($match($pad("", 200000, "a"), /a/))', 'too many matches'],
    ['($s := $pad("", 1000000, "a"); $length($join([$s,$s,$s,$s,$s,$s,$s,$s,$s], "")))', 'a join'],
    ['($s := $pad("", 1000000, "a"); $length($s & $s & $s & $s & $s & $s & $s & $s & $s))', 'concatenation'],
    ['$reduce([1..40], function($acc, $v) { $append($acc, $acc) }, [1])', 'doubling arrays'],
    ['$reduce([1..40], function($acc, $v) { $acc & $acc }, "ab")', 'doubling strings'],
    [
      '$string($reduce([1..300], function($acc, $v) { {"n": $acc} }, [1..20000]), true)',
      'indenting deep data',
    ],
  ])('%s (%s) is stopped', async (source) => {
    const outcome = await attempt(source);
    // The size limit stops these; on a machine busy enough, the time limit can get there first
    // (seen under CI load), which stops it just as well.
    expect(['SY_EXPR_LIMIT', 'SY_EXPR_TIMEOUT']).toContain('error' in outcome && outcome.error.code);
    expect(outcome.ms).toBeLessThan(1_500);
  });

  describe('values that share sub-values (2^26 leaves from 26 objects)', () => {
    const chains = `${doublingChain('a', 26)}; ${doublingChain('b', 26)}`;
    it.each([
      ['$a26 = $b26', 'deep equality'],
      ['$string($a26)', '$string'],
      ['$a26 & ""', 'string concatenation of an object'],
      ['$distinct([$a26, $b26])', '$distinct'],
      ['$a26 ~> |$|{}|', 'a transform, which deep-copies'],
      ['$a26', 'the result itself'],
    ])('%s (%s) is stopped', async (source) => {
      const outcome = await attempt(`(${chains}; ${source})`);
      expect('error' in outcome && outcome.error.code).toBe('SY_EXPR_LIMIT');
      expect(outcome.ms).toBeLessThan(1_500);
    });
  });

  it('survives cyclic data (a runner bug) with a clear error', async () => {
    const cycle = (): Record<string, unknown> => {
      const node: Record<string, unknown> = { name: 'loop' };
      node.self = node;
      return node;
    };
    const data = { a: cycle(), b: cycle() };
    expect(await attempt('a.self.self.name', data)).toMatchObject({ value: 'loop' });
    for (const source of ['a', '$string(a)', 'a.**', 'a = b']) {
      const outcome = await attempt(source, data);
      expect('error' in outcome, source).toBe(true);
    }
  });
});
