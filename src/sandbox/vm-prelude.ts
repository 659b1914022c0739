/**
 * @module JavaScript that runs inside the sandbox before the user's code: it installs `console`,
 * binds the globals and gives the host JSON-only helpers. It is source text for QuickJS, never
 * evaluated by the host.
 *
 * Everything the helpers use is captured here, before user code runs, so code that replaces
 * `JSON.stringify` or `Array.prototype` can spoil only its own result, never the host's view of it.
 * The host's log function is reachable only through this closure, never as a global.
 */

/** File name the prelude's frames carry; they are cut from stack traces shown to users. */
export const preludeFileName = 'switchyard-prelude.js';

export const preludeSource = `(function (hostLog, maxLogChars) {
  'use strict';
  const { parse, stringify } = JSON;
  const { apply, defineProperty } = Reflect;
  const { slice } = String.prototype;
  const ErrorCtor = Error;
  const StringCtor = String;
  const opaque = [Map, Set, WeakMap, WeakSet, Promise, WeakRef];

  const describeArg = (value) => {
    const type = typeof value;
    if (type === 'string') return value;
    if (type === 'function') return '[Function ' + (value.name || 'anonymous') + ']';
    if (value instanceof ErrorCtor) return StringCtor(value.name) + ': ' + StringCtor(value.message);
    if (value !== null && type === 'object') {
      try {
        const json = stringify(value);
        if (json !== undefined) return json;
      } catch {}
    }
    try {
      return StringCtor(value);
    } catch {
      return '[unprintable]';
    }
  };

  const consoleMethod = (level) =>
    function () {
      let text = '';
      for (let i = 0; i < arguments.length && text.length <= maxLogChars; i++) {
        text += (i === 0 ? '' : ' ') + describeArg(arguments[i]);
      }
      hostLog(level, apply(slice, text, [0, maxLogChars + 1]));
    };

  defineProperty(globalThis, 'console', {
    value: {
      log: consoleMethod('log'),
      info: consoleMethod('info'),
      warn: consoleMethod('warn'),
      error: consoleMethod('error'),
      debug: consoleMethod('log'),
    },
    writable: true,
    configurable: true,
  });

  const replacer = function (key, value) {
    const type = typeof value;
    const where = key === '' ? 'it is a ' : 'key "' + key + '" holds a ';
    if (type === 'function' || type === 'symbol' || type === 'bigint') throw new TypeError(where + type);
    if (value !== null && type === 'object') {
      for (let i = 0; i < opaque.length; i++) {
        if (value instanceof opaque[i]) throw new TypeError(where + opaque[i].name);
      }
    }
    return value;
  };

  const read = (object, key) => {
    try {
      const value = object[key];
      return typeof value === 'string' || typeof value === 'number' ? value : undefined;
    } catch {
      return undefined;
    }
  };

  return {
    bindGlobals(json) {
      const values = parse(json);
      for (const name in values) {
        if (name in globalThis) throw new TypeError('the global name "' + name + '" is taken');
        defineProperty(globalThis, name, { value: values[name], writable: false, configurable: false, enumerable: true });
      }
    },
    parseInput(json) {
      return parse(json);
    },
    /** JSON text, or the length of a text too long to hand over. */
    serialize(value, maxChars) {
      const json = value === undefined ? 'null' : stringify(value, replacer);
      if (json === undefined) return 'null';
      return json.length > maxChars ? json.length : json;
    },
    /** Plain facts about a thrown value, as JSON text, reading each property defensively. */
    describe(thrown) {
      if (thrown === null || (typeof thrown !== 'object' && typeof thrown !== 'function')) {
        return stringify({ message: describeArg(thrown) });
      }
      const isError = thrown instanceof ErrorCtor;
      return stringify({
        isError,
        name: read(thrown, 'name'),
        message: isError ? read(thrown, 'message') : describeArg(thrown),
        stack: read(thrown, 'stack'),
        lineNumber: read(thrown, 'lineNumber'),
        columnNumber: read(thrown, 'columnNumber'),
      });
    },
  };
})`;
