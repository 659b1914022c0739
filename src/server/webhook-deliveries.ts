/**
 * @module De-duplication of webhook deliveries: the delivery id is reserved in the store before the
 * execution starts, so of two identical deliveries — even at once — one starts and the other
 * answers with that execution's id.
 */
import { SwitchyardError } from '../errors/switchyard-error.ts';
import type { StoredExecution } from '../store/ports.ts';
import type { ServerDeps } from './deps.ts';

/** How long a repeat waits for the first delivery to start its execution before it gets 409. */
const WAIT_MS = 2_000;
const POLL_MS = 20;
/** A reservation this old without an execution belongs to a process that died. */
const STALE_MS = 60_000;
/** Long enough for senders' retries (GitHub, Stripe retry for up to three days). */
const KEEP_MS = 7 * 24 * 60 * 60 * 1000;
const PRUNE_EVERY_MS = 60_000;

export type Delivery =
  | { readonly duplicate: false; readonly execution: StoredExecution }
  | { readonly duplicate: true; readonly executionId: string };

export function deliveryGate(deps: ServerDeps) {
  const { store, clock } = deps;
  let lastPrune = 0;

  return async function startOnce(
    workflowId: string,
    deliveryId: string,
    start: () => Promise<StoredExecution>,
  ): Promise<Delivery> {
    const deadline = Date.now() + WAIT_MS;
    for (;;) {
      const now = clock.now();
      const claim = await store.webhookDeliveries.reserve(workflowId, deliveryId, now, now - STALE_MS);
      if (claim.first) {
        let execution: StoredExecution;
        try {
          execution = await start();
        } catch (error) {
          await store.webhookDeliveries.release(workflowId, deliveryId);
          throw error;
        }
        await store.webhookDeliveries.complete(workflowId, deliveryId, execution.id);
        if (now - lastPrune >= PRUNE_EVERY_MS) {
          lastPrune = now;
          await store.webhookDeliveries.prune(now - KEEP_MS);
        }
        return { duplicate: false, execution };
      }
      if (claim.executionId !== null) return { duplicate: true, executionId: claim.executionId };
      if (Date.now() >= deadline) {
        throw new SwitchyardError(
          'SY_WEBHOOK_DELIVERY_IN_PROGRESS',
          `delivery "${deliveryId}" is still being started by another request`,
        );
      }
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    }
  };
}
