// Short codes people quote in replies (同意 K7Q2M): unique across invitations, requests and login
// confirmations; and the ids the platform quotes back.
import { randomInt } from 'node:crypto'
import { survivesMask } from '../domain/masking.js'
import type { StoreReader, StoreTransaction } from '../store/contract.js'

/** No 0/O, 1/I/L: codes are read off a phone screen and typed back. */
const ALPHABET = 'ABCDEFGHJKMNPQRSTUVWXYZ23456789'

/**
 * New codes are 5 characters of the 31-letter alphabet (31^5 ≈ 2^24.8 codes, over the 20 bits a code
 * must carry); codes of 4 (≈ 2^19.8), handed out before, are still found in older data and still work.
 */
const CODE_LENGTH = 5
const OLD_CODE_LENGTH = 4
const CODE_PATTERN = new RegExp(`(?<![A-Z0-9])[${ALPHABET}]{${OLD_CODE_LENGTH},${CODE_LENGTH}}(?![A-Z0-9])`)

/** The code in what someone typed after 同意 / 允许 / 拒绝, if any: 同意邀请, 同意。 and 同意 k7q2m all work. */
export function codeIn (words: string): string | undefined {
  return words.toUpperCase().match(CODE_PATTERN)?.[0]
}

/** A code no record holds: asked of the transaction that adds the record, so no other can take it meanwhile. */
export async function freshCode (tx: StoreReader): Promise<string> {
  for (;;) {
    const code = Array.from({ length: CODE_LENGTH }, () => ALPHABET[randomInt(ALPHABET.length)]).join('')
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
    if (survivesMask(id)) return id
  }
}
