// Records with their absent fields left out, as the stored documents keep them (no `"phone": undefined`). Pure.

/** The same object without the keys whose value is undefined. */
export function withoutUndefined<T extends object> (value: T): { [K in keyof T]: Exclude<T[K], undefined> } {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as { [K in keyof T]: Exclude<T[K], undefined> }
}
