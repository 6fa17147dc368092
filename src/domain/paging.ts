// Paging of lists people read a page at a time (操作记录). Pure.

/** Page `page` (1-based) of a list kept oldest first, cut from its end and given newest first. */
export function pageFromNewest<T> (all: readonly T[], page: number, size: number):
  | { kind: 'page', items: T[], page: number, pages: number }
  | { kind: 'bad-page', pages: number } {
  const pages = Math.max(1, Math.ceil(all.length / size))
  if (!Number.isSafeInteger(page) || page < 1 || page > pages) return { kind: 'bad-page', pages }
  const end = all.length - (page - 1) * size
  return { kind: 'page', items: all.slice(Math.max(0, end - size), end).reverse(), page, pages }
}
