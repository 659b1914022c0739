import { describe, expect, it } from 'vitest';
import { compileValue } from '../core/expressions/value-template.ts';
import { SwitchyardError } from '../errors/switchyard-error.ts';
import { ExpressionEngine, type ExpressionVariables } from './engine.ts';
import { toExpressionError } from './errors.ts';
import { defaultExpressionLimits } from './limits.ts';
import { nativeFunctions } from './natives.ts';
import { safeFunctions } from './safe-functions.ts';

const engine = new ExpressionEngine();

const order = {
  total: 42.5,
  customer: { name: 'Ada', tier: 'gold' },
  items: [
    { sku: 'a-1', price: 10, qty: 2 },
    { sku: 'b-2', price: 22.5, qty: 1 },
  ],
};

function run(
  value: unknown,
  variables: ExpressionVariables = { input: order },
  on = engine,
): Promise<unknown> {
  const { compiled, problems } = compileValue(value);
  expect(problems).toEqual([]);
  return on.evaluate(compiled, variables);
}

async function failure(promise: Promise<unknown>): Promise<SwitchyardError> {
  const outcome = await promise.then(
    (value) => ({ value }),
    (error: unknown) => ({ error }),
  );
  if (!('error' in outcome)) throw new Error(`expected a failure, got ${JSON.stringify(outcome.value)}`);
  expect(outcome.error).toBeInstanceOf(SwitchyardError);
  return outcome.error as SwitchyardError;
}

describe('ExpressionEngine: values', () => {
  it('yields the raw value of a single-expression string', async () => {
    expect(await run('{{ total }}')).toBe(42.5);
    expect(await run('{{ items[0].qty > 1 }}')).toBe(true);
    expect(await run('{{ customer }}')).toEqual({ name: 'Ada', tier: 'gold' });
    expect(await run('{{ items.sku }}')).toEqual(['a-1', 'b-2']);
  });

  it('reads the context and $input alike', async () => {
    expect(await run('{{ $input.total }}')).toBe(await run('{{ total }}'));
    expect(await run('{{ $sum(items.(price * qty)) }}')).toBe(42.5);
  });

  it('binds every variable as $name', async () => {
    const variables = {
      input: order,
      nodes: { fetch: { status: 200 } },
      trigger: { kind: 'webhook' },
      execution: { id: 'ex-1' },
      loop: { index: 3 },
      vars: { region: 'eu' },
    };
    const value = {
      status: '{{ $nodes.fetch.status }}',
      trigger: '{{ $trigger.kind }}',
      id: '{{ $execution.id }}',
      index: '{{ $loop.index }}',
      region: '{{ $vars.region }}',
    };
    expect(await run(value, variables)).toEqual({
      status: 200,
      trigger: 'webhook',
      id: 'ex-1',
      index: 3,
      region: 'eu',
    });
  });

  it('interpolates mixed strings as JSONata `&` does', async () => {
    expect(await run('Hi {{ customer.name }}, total {{ total }}')).toBe('Hi Ada, total 42.5');
    expect(await run('sum={{ 0.1 + 0.2 }}')).toBe('sum=0.3');
    expect(await run('{{ customer }} / {{ items.qty }} / {{ true }} / {{ null }}')).toBe(
      '{"name":"Ada","tier":"gold"} / [2,1] / true / null',
    );
    expect(await run('[{{ missing }}]')).toBe('[]');
  });

  it('drops a key whose expression yields nothing, and writes null in arrays, like JSON', async () => {
    expect(await run({ a: '{{ missing }}', b: 1, c: '{{ total }}' })).toEqual({ b: 1, c: 42.5 });
    expect(await run(['{{ missing }}', '{{ total }}'])).toEqual([null, 42.5]);
    expect(await run('{{ missing }}')).toBeUndefined();
    expect(await run('{{ null }}')).toBeNull();
  });

  it('evaluates templates in nested objects and arrays, keeping constants', async () => {
    const value = {
      url: 'https://api/orders/{{ customer.name }}',
      headers: { 'x-total': '{{ total }}', accept: 'application/json' },
      lines: [{ sku: '{{ items[0].sku }}', fixed: true }, ['{{ items[1].qty }}', 'plain']],
    };
    expect(await run(value)).toEqual({
      url: 'https://api/orders/Ada',
      headers: { 'x-total': 42.5, accept: 'application/json' },
      lines: [{ sku: 'a-1', fixed: true }, [1, 'plain']],
    });
  });

  it('leaves skipKeys unevaluated', async () => {
    const { compiled } = compileValue(
      { source: 'return "{{ total }}"', label: '{{ total }}' },
      { skipKeys: ['source'] },
    );
    expect(await engine.evaluate(compiled, { input: order })).toEqual({
      source: 'return "{{ total }}"',
      label: 42.5,
    });
  });

  it('returns a static value without evaluating anything', async () => {
    const { compiled } = compileValue({ a: 1 });
    const first = await engine.evaluate(compiled, {});
    expect(first).toEqual({ a: 1 });
    expect(await engine.evaluate(compiled, {})).toBe(first);
  });

  it('returns plain JSON data that shares nothing with the variables', async () => {
    const result = (await run('{{ $input }}')) as typeof order;
    expect(result).toEqual(order);
    expect(result).not.toBe(order);
    expect(result.items).not.toBe(order.items);
    // JSONata builds objects with a null prototype; results are ordinary objects.
    const built = (await run('{{ {"a": 1} }}')) as object;
    expect(Object.getPrototypeOf(built)).toBe(Object.prototype);
    expect(JSON.parse(JSON.stringify(await run('{{ $spread(customer) }}')))).toEqual(
      await run('{{ $spread(customer) }}'),
    );
  });

  it('never scans a result again for {{ }}', async () => {
    const input = { text: '{{ 7*6 }}', evil: "{{ $eval('1+1') }}" };
    expect(await run('{{ text }}', { input })).toBe('{{ 7*6 }}');
    expect(await run('{{ evil }}', { input })).toBe("{{ $eval('1+1') }}");
    expect(await run('said: {{ text }} and {{ evil }}', { input })).toBe(
      "said: {{ 7*6 }} and {{ $eval('1+1') }}",
    );
    expect(await run({ nested: ['{{ $input }}'] }, { input })).toEqual({ nested: [input] });
  });

  it('keeps concurrent evaluations apart', async () => {
    const results = await Promise.all(
      Array.from({ length: 50 }, (_, n) =>
        run('{{ $input.n * 2 }}-{{ $vars.tag }}', { input: { n }, vars: { tag: n } }),
      ),
    );
    expect(results).toEqual(Array.from({ length: 50 }, (_, n) => `${n * 2}-${n}`));
  });

  it('compiles each source once', async () => {
    const local = new ExpressionEngine();
    const { compiled } = compileValue({ a: '{{ total }}', b: '{{ total }}', c: 'x {{ total + 1 }}' });
    await local.evaluate(compiled, { input: order });
    await local.evaluate(compiled, { input: { total: 1 } });
    expect(local.cachedExpressions).toBe(2);
  });
});

describe('ExpressionEngine: $nodes as a lazy proxy', () => {
  /** The shape the runner uses: lookups answered on demand by getOwnPropertyDescriptor and ownKeys. */
  function lazyRecord(source: Record<string, unknown>, reads: string[]): Record<string, unknown> {
    const read = (key: string | symbol) => {
      if (typeof key !== 'string' || !Object.hasOwn(source, key)) return { found: false, value: undefined };
      reads.push(key);
      return { found: true, value: source[key] };
    };
    return new Proxy(Object.create(null) as Record<string, unknown>, {
      get: (_, key) => read(key).value,
      has: (_, key) => read(key).found,
      ownKeys: () => Object.keys(source),
      getOwnPropertyDescriptor: (_, key) => {
        const { found, value } = read(key);
        return found ? { value, enumerable: true, configurable: true, writable: false } : undefined;
      },
    });
  }

  const outputs = { fetch: { status: 200, items: [1, 2, 3] }, classify: { label: 'spam' } };

  it('reads properties, keys, wildcards and $each through the proxy', async () => {
    const reads: string[] = [];
    const variables = { input: {}, nodes: lazyRecord(outputs, reads) };
    expect(await run('{{ $nodes.fetch.items[1] }}', variables)).toBe(2);
    // JSONata asks whether the key is an own property, then reads it: nothing else is loaded.
    expect(new Set(reads)).toEqual(new Set(['fetch']));
    expect(await run('{{ $keys($nodes) }}', variables)).toEqual(['fetch', 'classify']);
    expect(await run('{{ $nodes.*.label }}', variables)).toBe('spam');
    expect(await run('{{ $each($nodes, function($v, $k) { $k }) }}', variables)).toEqual([
      'fetch',
      'classify',
    ]);
    expect(await run('{{ $lookup($nodes, "classify").label }}', variables)).toBe('spam');
    expect(await run('{{ $exists($nodes.missing) }}', variables)).toBe(false);
    expect(await run('{{ $nodes }}', variables)).toEqual(outputs);
  });

  it('sees nothing through a proxy that only answers get (JSONata checks own properties)', async () => {
    const getOnly = new Proxy({}, { get: (_, key) => (key === 'fetch' ? { status: 200 } : undefined) });
    expect(await run('{{ $nodes.fetch.status }}', { input: {}, nodes: getOnly })).toBeUndefined();
  });
});

describe('ExpressionEngine: errors', () => {
  it('maps a JSONata error to SY_EXPR_EVAL naming the expression, with details and path', async () => {
    const error = await failure(run({ headers: { 'x-id': '{{ customer.name * 2 }}' } }));
    expect(error.code).toBe('SY_EXPR_EVAL');
    expect(error.message).toContain('{{ customer.name * 2 }}');
    expect(error.message).toContain('headers["x-id"]');
    expect(error.path).toBe('headers["x-id"]');
    expect(error.details).toMatchObject({ expression: 'customer.name * 2', jsonataCode: 'T2001' });
    expect(typeof error.details?.position).toBe('number');
  });

  it('maps JSONata limit codes and JavaScript range errors to timeout and limit codes', () => {
    const jsonataError = (code: string) => ({ code, position: 3, message: `jsonata ${code}` });
    expect(toExpressionError(jsonataError('D1012'), 'x', []).code).toBe('SY_EXPR_TIMEOUT');
    for (const code of ['D1011', 'D2014', 'D2015']) {
      expect(toExpressionError(jsonataError(code), 'x', []).code).toBe('SY_EXPR_LIMIT');
    }
    expect(toExpressionError(jsonataError('T2001'), 'x', []).details).toEqual({
      expression: 'x',
      jsonataCode: 'T2001',
      position: 3,
    });
    const overflow = toExpressionError(new RangeError('Maximum call stack size exceeded'), 'x', ['a', 0]);
    expect(overflow.code).toBe('SY_EXPR_LIMIT');
    expect(overflow.path).toBe('a[0]');
    expect(overflow.cause).toBeInstanceOf(RangeError);
  });

  it('reports $error with its message', async () => {
    const error = await failure(run('{{ $error("no customer") }}'));
    expect(error.code).toBe('SY_EXPR_EVAL');
    expect(error.message).toContain('no customer');
  });

  it('refuses to return a function value', async () => {
    const error = await failure(run('{{ function($x) { $x } }}'));
    expect(error.code).toBe('SY_EXPR_EVAL');
    expect(error.message).toContain('function');
  });

  it('reports a syntax error as SY_WF_EXPRESSION when the value was not checked beforehand', async () => {
    const compiled = {
      kind: 'template',
      template: {
        raw: '{{ a. }}',
        isSingleExpression: true,
        segments: [{ kind: 'expression', source: 'a.', offset: 3 }],
      },
    } as const;
    const error = await failure(engine.evaluate(compiled, { input: {} }));
    expect(error.code).toBe('SY_WF_EXPRESSION');
  });

  it('refuses variables that would hide a guarded function', async () => {
    const error = await failure(run('{{ 1 }}', { input: {}, eval: () => 1 }));
    expect(error.code).toBe('SY_INTERNAL');
  });

  it('check() reports what would fail before anything runs', () => {
    const { compiled } = compileValue({ ok: '{{ $match(a, /x+/i) }}', bad: ['{{ $match(a, /(x)\\1/) }}'] });
    const problems = engine.check(compiled);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatchObject({ path: ['bad', 0], offset: 3 });
    expect(problems[0]?.message).toContain('linear time');
  });
});

describe('ExpressionEngine: limits', () => {
  it('stops an endless expression near its time limit', async () => {
    const quick = new ExpressionEngine({ timeoutMs: 150 });
    const started = performance.now();
    const error = await failure(run('{{ ($loop := function($n) { $loop($n + 1) }; $loop(0)) }}', {}, quick));
    const elapsed = performance.now() - started;
    expect(error.code).toBe('SY_EXPR_TIMEOUT');
    expect(error.message).toMatch(/150 (ms|milliseconds)/);
    expect(elapsed).toBeGreaterThanOrEqual(145);
    expect(elapsed).toBeLessThan(1_500);
  });

  it('shares one time budget between the expressions of a value', async () => {
    const slow = (): number => {
      const until = Date.now() + 100;
      while (Date.now() < until) {
        // Reading this field costs 100 ms of CPU.
      }
      return 1;
    };
    const input = new Proxy(
      { slow: 1 },
      { get: (target, key) => (key === 'slow' ? slow() : Reflect.get(target, key)) },
    );
    const quick = new ExpressionEngine({ timeoutMs: 160 });
    expect(await run({ a: '{{ $input.slow }}' }, { input }, quick)).toEqual({ a: 1 });
    const error = await failure(run({ a: '{{ $input.slow }}', b: '{{ $input.slow }}' }, { input }, quick));
    expect(error.code).toBe('SY_EXPR_TIMEOUT');
    expect(error.path).toBe('b');
  });

  it('stops runaway recursion at the depth limit', async () => {
    const error = await failure(run('{{ ($f := function($n) { 1 + $f($n + 1) }; $f(0)) }}'));
    expect(error.code).toBe('SY_EXPR_LIMIT');
    expect(error.details?.jsonataCode).toBe('D1011');
  });

  it('bounds sequences', async () => {
    const small = new ExpressionEngine({ maxSequence: 1_000 });
    expect(await run('{{ $count([1..1000]) }}', {}, small)).toBe(1_000);
    const error = await failure(run('{{ $count([1..1001]) }}', {}, small));
    expect(error.code).toBe('SY_EXPR_LIMIT');
  });

  it('bounds the size of a result', async () => {
    const small = new ExpressionEngine({ maxOutputBytes: 1_000 });
    expect(await run('{{ $pad("", 990, "a") }}', {}, small)).toHaveLength(990);
    const error = await failure(run('{{ $pad("", 1000, "a") }}', {}, small));
    expect(error.code).toBe('SY_EXPR_LIMIT');
    expect(error.message).toContain('maxOutputBytes');
    expect((await failure(run('{{ [1..400] }}', {}, small))).code).toBe('SY_EXPR_LIMIT');
    expect((await failure(run('{{ $pad("", 600, "a") }}{{ $pad("", 600, "a") }}', {}, small))).code).toBe(
      'SY_EXPR_LIMIT',
    );
  });

  it('counts output bytes, not characters', async () => {
    const small = new ExpressionEngine({ maxOutputBytes: 1_000 });
    expect((await failure(run('{{ $pad("", 600, "é") }}', {}, small))).code).toBe('SY_EXPR_LIMIT');
  });

  it('bounds the values an expression builds along the way', async () => {
    const small = new ExpressionEngine({ maxValueBytes: 100_000 });
    expect(await run('{{ $length($pad("", 90000, "a")) }}', {}, small)).toBe(90_000);
    const doubled = '{{ ($s := $pad("", 60000, "a"); $length($s & $s)) }}';
    expect((await failure(run(doubled, {}, small))).code).toBe('SY_EXPR_LIMIT');
  });

  it('rejects limits that are not positive integers', () => {
    expect(() => new ExpressionEngine({ timeoutMs: 0 })).toThrow(RangeError);
    expect(() => new ExpressionEngine({ maxDepth: 1.5 })).toThrow(RangeError);
    expect(new ExpressionEngine().limits).toEqual(defaultExpressionLimits);
  });
});

describe('ExpressionEngine: built-ins', () => {
  it('runs case-insensitive regexes on the linear engine with the usual results', async () => {
    const input = { text: 'Hello WORLD, hello world' };
    expect(await run('{{ $match(text, /hello/i).index }}', { input })).toEqual([0, 13]);
    expect(await run('{{ $replace(text, /o/i, "0") }}', { input })).toBe('Hell0 W0RLD, hell0 w0rld');
    expect(await run('{{ $contains(text, /WORLD$/i) }}', { input })).toBe(true);
    expect(await run('{{ $split(text, /,\\s*/) }}', { input })).toEqual(['Hello WORLD', 'hello world']);
    expect(await run('{{ text ~> $replace(/(h)(e)/i, "$2$1") }}', { input })).toBe(
      'eHllo WORLD, ehllo world',
    );
  });

  it('keeps $distinct semantics: deep equality, key order ignored, first occurrence kept', async () => {
    expect(
      await run('{{ $distinct([1, "1", 1, {"a": 1, "b": [2]}, {"b": [2], "a": 1}, null, null]) }}'),
    ).toEqual([1, '1', { a: 1, b: [2] }, null]);
    expect(await run('{{ $distinct(items.qty) }}')).toEqual([2, 1]);
    expect(await run('{{ $distinct(7) }}')).toBe(7);
  });

  it('parses dates with a picture', async () => {
    expect(await run('{{ $toMillis("2024-01-02", "[Y0001]-[M01]-[D01]") }}')).toBe(Date.UTC(2024, 0, 2));
    expect(await run('{{ $toMillis("2024-01-02T03:04:05Z") }}')).toBe(Date.UTC(2024, 0, 2, 3, 4, 5));
    expect(await run('{{ $toMillis("nonsense", "[Y0001]-[M01]-[D01]") }}')).toBeUndefined();
  });

  it('keeps the signatures of the functions it replaces', async () => {
    const natives = await nativeFunctions();
    for (const { name, signature } of safeFunctions(defaultExpressionLimits)) {
      if (name in natives) expect(signature, name).toBe(natives[name as keyof typeof natives].signature);
    }
  });

  it('keeps $pad, $join, $string and $split working inside their bounds', async () => {
    expect(await run('{{ $pad("7", -3, "0") }}')).toBe('007');
    expect(await run('{{ $join(items.sku, ", ") }}')).toBe('a-1, b-2');
    expect(await run('{{ $string(customer, true) }}')).toBe(JSON.stringify(order.customer, null, 2));
    expect(await run('{{ $split("a,b,c", ",", 2) }}')).toEqual(['a', 'b']);
    expect(await run('{{ $replace("aaa", "a", "b", 2) }}')).toBe('bba');
  });
});
