/** @module Names of node instances and loop iteration scopes, as stored in the log. */

export function instanceKey(nodeId: string, scope: string): string {
  return scope === '' ? nodeId : `${nodeId}@${scope}`;
}

export function iterationScopeKey(parentScope: string, loopId: string, iteration: number): string {
  return parentScope === '' ? `${loopId}#${iteration}` : `${parentScope}/${loopId}#${iteration}`;
}
