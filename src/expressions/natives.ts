/**
 * @module JSONata's own implementations of the built-in functions that the safe replacements
 * check and then delegate to. JSONata does not export them; evaluating the function values once
 * is the only way to reach them, and that is asynchronous, so they are captured on first use.
 */
import jsonata from 'jsonata';

/** The `this` JSONata passes to a native function: the focus of the call. */
export type Focus = jsonata.Focus;

export type NativeFunction = (this: Focus, ...args: unknown[]) => unknown;

export const delegatedFunctions = ['pad', 'join', 'string', 'match', 'replace', 'split', 'toMillis'] as const;

export type DelegatedName = (typeof delegatedFunctions)[number];

export type Natives = Readonly<Record<DelegatedName, { implementation: NativeFunction; signature: string }>>;

let captured: Promise<Natives> | undefined;

export function nativeFunctions(): Promise<Natives> {
  captured ??= capture();
  return captured;
}

async function capture(): Promise<Natives> {
  const source = `{${delegatedFunctions.map((name) => `"${name}": $${name}`).join(', ')}}`;
  const values = (await jsonata(source).evaluate(null)) as Record<string, unknown>;
  const natives: Partial<Record<DelegatedName, { implementation: NativeFunction; signature: string }>> = {};
  for (const name of delegatedFunctions) {
    const value = values[name] as
      | { implementation?: unknown; signature?: { definition?: unknown } }
      | undefined;
    if (typeof value?.implementation !== 'function' || typeof value.signature?.definition !== 'string') {
      throw new Error(`jsonata no longer exposes $${name} as a native function`);
    }
    natives[name] = {
      implementation: value.implementation as NativeFunction,
      signature: value.signature.definition,
    };
  }
  return natives as Natives;
}
