// The message intake on its own, with plain stand-in messages: what is dropped, order, failures.
import test from 'ava'
import type { Message } from 'wechaty'
import { MessageIntake } from '../src/bot/intake.js'
import type { Logger } from '../src/log.js'

interface Fake { id: string, talker: string, at: number, self?: boolean, text: string }

const asMessage = (m: Fake): Message => ({
  id: m.id,
  self: () => m.self ?? false,
  date: () => new Date(m.at),
  talker: () => ({ id: m.talker }),
  text: () => m.text,
}) as unknown as Message

function harness (handle: (text: string) => Promise<void>) {
  const errors: string[] = []
  const apologies: string[] = []
  const log: Logger = { info: () => undefined, warn: () => undefined, error: (message) => errors.push(message) }
  const intake = new MessageIntake(
    (message) => handle(message.text()),
    async (message) => { apologies.push(message.text()) },
    log,
    () => 1_000,
  )
  return { intake, errors, apologies }
}

test('own messages, duplicates and messages older than the start are dropped', async (t) => {
  const handled: string[] = []
  const { intake } = harness(async (text) => { handled.push(text) })
  const messages: Fake[] = [
    { id: 'm1', talker: 'a', at: 999, text: 'before the start' },
    { id: 'm2', talker: 'bot', at: 1_001, self: true, text: 'own reply' },
    { id: 'm3', talker: 'a', at: 1_001, text: 'first' },
    { id: 'm3', talker: 'a', at: 1_001, text: 'first' },
    { id: 'm4', talker: 'a', at: 1_002, text: 'second' },
  ]
  for (const m of messages) intake.accept(asMessage(m))
  await intake.idle()
  t.deepEqual(handled, ['first', 'second'])
})

test('one sender is handled in order even when an earlier message takes longer; senders do not wait for each other', async (t) => {
  const log: string[] = []
  let releaseSlow!: () => void
  const slow = new Promise<void>((resolve) => { releaseSlow = resolve })
  const { intake } = harness(async (text) => {
    log.push(`start ${text}`)
    if (text === 'a1') await slow
    log.push(`end ${text}`)
  })
  intake.accept(asMessage({ id: '1', talker: 'a', at: 2_000, text: 'a1' }))
  intake.accept(asMessage({ id: '2', talker: 'a', at: 2_001, text: 'a2' }))
  intake.accept(asMessage({ id: '3', talker: 'b', at: 2_002, text: 'b1' }))
  await new Promise((resolve) => setImmediate(resolve))
  t.deepEqual(log, ['start a1', 'start b1', 'end b1'], 'b is answered while a waits; a2 waits for a1')
  releaseSlow()
  await intake.idle()
  t.deepEqual(log, ['start a1', 'start b1', 'end b1', 'end a1', 'start a2', 'end a2'])
})

test('a failing handler gets an apology and a log line, and the next message is handled', async (t) => {
  const handled: string[] = []
  const { intake, errors, apologies } = harness(async (text) => {
    if (text === 'boom') throw new Error('broken')
    handled.push(text)
  })
  intake.accept(asMessage({ id: '1', talker: 'a', at: 2_000, text: 'boom' }))
  intake.accept(asMessage({ id: '2', talker: 'a', at: 2_001, text: 'after' }))
  await intake.idle()
  t.deepEqual(apologies, ['boom'])
  t.is(errors.length, 1)
  t.regex(errors[0]!, /handling message 1 from a failed/)
  t.deepEqual(handled, ['after'])
})

test('a message id seen again after ten thousand newer ones, and hours later, is still not handled twice', async (t) => {
  let wall = 1_000
  const handled: string[] = []
  const log: Logger = { info: () => undefined, warn: () => undefined, error: () => undefined }
  const intake = new MessageIntake(async (message) => { handled.push(message.id) }, async () => undefined, log, () => wall)
  const replayed: Fake = { id: 'switch-on', talker: 'admin', at: 1_001, text: '确认' }
  intake.accept(asMessage(replayed))
  for (let i = 0; i < 12_000; i++) intake.accept(asMessage({ id: `m${i}`, talker: `p${i % 50}`, at: 1_002, text: 'x' }))
  wall += 6 * 3_600_000 // a puppet reconnects and replays recent history
  intake.accept(asMessage(replayed))
  await intake.idle()
  t.is(handled.filter((id) => id === 'switch-on').length, 1)
  t.is(handled.length, 12_001)
})
