// Upgrades of older data files, one step per schema version. Each takes the raw document of version N
// and returns one of version N + 1.
type Raw = Record<string, unknown>

const steps: Record<number, (data: Raw) => Raw> = {
  // 2: invitations to become an operator
  // (an array already there is kept: its records are validated like any others, never dropped silently)
  1: (data) => ({ invitations: [], ...data, version: 2 }),
  // 3: renewal requests; reminders, back-off and give-up on existing records are optional fields
  2: (data) => ({ renewals: [], ...data, version: 3 }),
  // 4: risky operations waiting for the admin
  3: (data) => ({ approvals: [], ...data, version: 4 }),
  // 5: requests closed when what they depended on ended ('closed', closedAt, closedReason), an approval's
  // binding, pushes about a request; all optional, so the records stay as they are
  4: (data) => ({ ...data, version: 5 }),
  // 6: logins confirmed by the person; codes of 5 characters (4 still valid); operations waiting for the
  // daily alert digest; lookups their owners were told of; access reviews (accounts' alertModes and
  // reviewIntervalDays and bindings' lastSeenAt are optional: absent = as before); the platform's webhook
  // and the events queued for it
  5: (data) => ({ logins: [], digestEntries: [], lookupNotices: [], reviews: [], webhooks: [], webhookEvents: [], ...data, version: 6 }),
}

/** The document brought up to `target`, or undefined when it already is (or is of no known version). */
export function migrate (raw: unknown, target: number): Raw | undefined {
  const data = raw as Raw | null
  let version = typeof data?.version === 'number' ? data.version : undefined
  if (version === undefined || version >= target || !data) return undefined
  let current: Raw = data
  while (version < target) {
    const step = steps[version]
    if (!step) return undefined
    current = step(current)
    version++
  }
  return current
}
