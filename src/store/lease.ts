/** @module A runner's proof that it owns a running execution (shared by the ports that need it). */

/** Proof of ownership of a running execution. */
export interface Lease {
  readonly executionId: string;
  readonly owner: string;
  readonly epoch: number;
}
