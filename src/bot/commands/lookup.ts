// 绑定查询: menu-driven (method, then value) or one-shot with the type detected from the value.
import { detectIdentifier, parseIdentifier } from '../../domain/identity.js'
import type { IdentifierKind, ParseResult } from '../../domain/identity.js'
import type { LookupService } from '../../services/lookup.js'
import { texts } from '../../texts.js'
import type { Turn } from '../conversation.js'

/** A Map: typed words are never looked up in a plain object (`__proto__` would be found there). */
const METHOD_BY_ANSWER = new Map<string, IdentifierKind>([
  ['1', 'phone'],
  ['2', 'idNumber'],
  ['3', 'wechatId'],
  ['手机号', 'phone'],
  ['身份证号', 'idNumber'],
  ['身份证', 'idNumber'],
  ['微信号', 'wechatId'],
])

export function lookupCommands (lookups: LookupService) {
  async function answer (turn: Turn, parsed: ParseResult, inDialog: boolean): Promise<string> {
    if (!parsed.ok) return texts.badFormat(parsed.problem, parsed.kind, inDialog)
    const result = await lookups.lookup(turn.sender, turn.asker, parsed.identifier)
    if (result.kind === 'rate-limited') {
      turn.endDialog()
      return texts.rateLimited(lookups.limit, result.retryAt, turn.now)
    }
    if (result.active.length > 0) turn.setDialog({ step: 'lookup.results', data: { entries: result.active } })
    else turn.endDialog()
    // Named one by one: `{ ...result, more }` takes a slow path in V8 (about a microsecond a reply).
    return texts.lookupResult({ identifier: result.identifier, active: result.active, lapsed: result.lapsed, askerWechatId: turn.asker?.wechatId, now: turn.now })
  }

  return {
    async start (turn: Turn): Promise<string> {
      if (turn.args === '') {
        turn.setDialog({ step: 'lookup.method', data: {} })
        return texts.chooseMethod
      }
      return answer(turn, detectIdentifier(turn.args), false)
    },

    chooseMethod (turn: Turn): string {
      const kind = METHOD_BY_ANSWER.get(turn.text)
      if (!kind) {
        turn.setDialog({ step: 'lookup.method', data: {} })
        return texts.badMethod
      }
      turn.setDialog({ step: 'lookup.value', data: { kind } })
      return texts.askValue(kind)
    },

    async enterValue (turn: Turn & { dialog: { step: 'lookup.value', data: { kind: IdentifierKind } } }): Promise<string> {
      const parsed = parseIdentifier(turn.dialog.data.kind, turn.text)
      if (!parsed.ok) turn.setDialog(turn.dialog) // a retry gets the full five minutes again
      return answer(turn, parsed, true)
    },
  }
}
