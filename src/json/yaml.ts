/**
 * @module The `yaml` package, loaded on first use: a server that never reads or writes YAML (most
 * requests never do) does not carry its ~80 modules in memory.
 */
import { createRequire } from 'node:module';

type Yaml = typeof import('yaml');

let loaded: Yaml | undefined;

export function yaml(): Yaml {
  loaded ??= createRequire(import.meta.url)('yaml') as Yaml;
  return loaded;
}
