/** Start-up problems with the data file; the message names the file and what to do. */
export class StoreError extends Error {
  override name = 'StoreError'
}
