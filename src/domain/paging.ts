// Paging of lists read a page at a time (操作记录, the platform's lists). Pure.

/** Where page `page` (1-based) of a list of `total` items starts, counting `size` a page from one end. */
export type PageCut = { kind: 'page', page: number, pages: number, offset: number } | { kind: 'bad-page', pages: number }

/** An empty list still has one (empty) page; a page past the last, or not a whole number from 1, is a bad page. */
export function pageOf (total: number, page: number, size: number): PageCut {
  const pages = Math.max(1, Math.ceil(total / size))
  if (!Number.isSafeInteger(page) || page < 1 || page > pages) return { kind: 'bad-page', pages }
  return { kind: 'page', page, pages, offset: (page - 1) * size }
}

/** Page `page` (1-based) of a list kept oldest first, cut from its end and given newest first. */
export function pageFromNewest<T> (all: readonly T[], page: number, size: number):
  | { kind: 'page', items: T[], page: number, pages: number }
  | { kind: 'bad-page', pages: number } {
  const cut = pageOf(all.length, page, size)
  if (cut.kind === 'bad-page') return cut
  const end = all.length - cut.offset
  return { kind: 'page', items: all.slice(Math.max(0, end - size), end).reverse(), page, pages: cut.pages }
}
