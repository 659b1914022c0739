/** @module One page of a listing, and how to ask for one: shared by every repository port. */

export interface Page<T> {
  readonly items: readonly T[];
  /** Pass as `after` to get the next page; absent on the last page. */
  readonly next?: string;
}

export interface PageRequest {
  readonly after?: string;
  /** 1–500. */
  readonly limit: number;
}
