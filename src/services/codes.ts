// Short codes people quote in replies (同意 K7Q2): unique across invitations and requests; and the ids
// the platform quotes back.
import { randomInt } from 'node:crypto'
import { maskPersonalNumbers } from '../domain/masking.js'
import type { StoreReader, StoreTransaction } from '../store/contract.js'

/** No 0/O, 1/I/L: codes are read off a phone screen and typed back. */
const ALPHABET = 'ABCDEFGHJKMNPQRSTUVWXYZ23456789'

/** The code in what someone typed after 同意 / 允许 / 拒绝, if any: 同意邀请, 同意。 and 同意 k7q2 all work. */
export function codeIn (words: string): string | undefined {
  return words.toUpperCase().match(new RegExp(`(?<![A-Z0-9])[${ALPHABET}]{4}(?![A-Z0-9])`))?.[0]
}

/** A code no record holds: asked of the transaction that adds the record, so no other can take it meanwhile. */
export async function freshCode (tx: StoreReader): Promise<string> {
  for (;;) {
    const code = Array.from({ length: 4 }, () => ALPHABET[randomInt(ALPHABET.length)]).join('')
    if (!await tx.codeInUse(code)) return code
  }
}

/**
 * A new id for a record the platform names in later requests (an account, an operation request): never
 * one the last mask would change, since random hex can spell a mobile number (op_a13800138000), and the
 * platform would then be handed an id that names nothing.
 */
export function quotableId (tx: Pick<StoreTransaction, 'newId'>, prefix: string): string {
  for (;;) {
    const id = tx.newId(prefix)
    if (maskPersonalNumbers(id) === id) return id
  }
}
