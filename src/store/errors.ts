/** Start-up problems with the data file; the message names the file and what to do. */
export class StoreError extends Error {
  override name = 'StoreError'
}

/**
 * A change that would leave the document invalid (a bug, or input that slipped past the checks): it is
 * undone in memory and never written, so the data file always loads.
 */
export class InvalidChange extends Error {
  override name = 'InvalidChange'
}
