/** @module The gateway as `serve` and `run --durable` build it: configured providers over a store, built-in prices. */
import type { CacheRepository } from '../../store/llm-ports.ts';
import type { Store } from '../../store/ports.ts';
import type { LlmConfig } from '../config/llm-config.ts';
import { PriceTable } from '../cost/prices.ts';
import { ModelFactory } from '../providers/model-factory.ts';
import { type GatewayOptions, LlmGateway } from './llm-gateway.ts';

export function openLlmGateway(options: {
  readonly config: LlmConfig;
  readonly store: Store;
  readonly now: () => number;
  readonly random: () => number;
  readonly env?: Readonly<Record<string, string | undefined>>;
  readonly cacheStore?: CacheRepository;
  readonly onLedgerLost?: GatewayOptions['onLedgerLost'];
}): LlmGateway {
  return new LlmGateway({
    config: options.config,
    store: options.store,
    models: new ModelFactory(options.config, options.env ?? process.env),
    prices: new PriceTable(),
    now: options.now,
    random: options.random,
    ...(options.cacheStore ? { cacheStore: options.cacheStore } : {}),
    ...(options.onLedgerLost ? { onLedgerLost: options.onLedgerLost } : {}),
  });
}
