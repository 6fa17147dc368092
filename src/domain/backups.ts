// How many daily backups may be kept. Imports nothing: the runner reads it before its heavy modules load.

/** Daily backups kept at most: ten years of them. */
export const MAX_BACKUPS_KEPT = 3650
