/**
 * @module Parking a node: a node that must wait for something outside the process (a person's
 * approval) throws `Suspended`. The node then stays unfinished; when nothing else can run, the
 * execution goes to sleep in the store and holds no runner, and runs that node again when woken.
 */
export class Suspended extends Error {
  /** What it waits on (approval ids), so that a decision made meanwhile is not missed. */
  readonly waitingOn: string;

  constructor(waitingOn: string, message: string) {
    super(message);
    this.name = 'Suspended';
    this.waitingOn = waitingOn;
  }
}
