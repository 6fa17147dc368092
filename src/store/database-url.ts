// What names a PostgreSQL database: one rule for the runner, the CLI and the plugin's options. No driver
// here, so checking options loads none.

export function isPostgresUrl (url: string): boolean {
  return /^postgres(ql)?:\/\/./i.test(url)
}

/** The refusal of a URL naming something else: only its scheme is quoted, never a password. */
export function notPostgresUrl (url: string): string {
  return `ASSISTANT_DATABASE_URL must be a PostgreSQL URL, postgres://user:password@host:5432/database, not one starting "${url.split(':')[0]!.slice(0, 20)}:".`
}
