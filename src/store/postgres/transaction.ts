// One transaction on one pooled connection: committed when the work returns, rolled back when it throws.
import type { Pool, PoolClient } from 'pg'

export interface TransactionOptions {
  /** What follows BEGIN: e.g. 'isolation level repeatable read, read only' for a consistent snapshot. */
  mode?: '' | 'isolation level repeatable read, read only'
}

export async function inTransaction<T> (pool: Pool, work: (client: PoolClient) => Promise<T>, options: TransactionOptions = {}): Promise<T> {
  const client = await pool.connect()
  let broken: Error | undefined
  try {
    await client.query(`begin ${options.mode ?? ''}`)
    try {
      const result = await work(client)
      await client.query('commit')
      return result
    } catch (err) {
      await client.query('rollback').catch((rollbackFailed: unknown) => {
        broken = rollbackFailed instanceof Error ? rollbackFailed : new Error(String(rollbackFailed))
      })
      throw err
    }
  } finally {
    // A connection whose rollback failed is in an unknown state: the pool discards it.
    client.release(broken)
  }
}
