// The data file's encoder: after any mix of changes it writes exactly JSON.stringify's bytes, while
// encoding again only the chunks whose records changed.
import test from 'ava'
import { IncrementalJson } from '../src/store/incremental-json.js'
import { Random } from './helpers/random.js'

type Rec = Record<string, unknown>
const text = (buffers: Buffer[]): string => Buffer.concat(buffers).toString('utf8')

function record (r: Random, n: number): Rec {
  return r.weighted<Rec>([
    [4, () => ({ id: `r${n}`, name: `用户${n}`, flag: r.chance(0.5), at: new Date(n * 1e9).toISOString() })],
    [1, () => ({ id: `r${n}`, gone: undefined, list: [n, 'a"b\\c', null, { deep: '\u2028\ud83d\ude00' }] })],
  ])
}

test('any mix of changes in place, additions, drops and swapped lists encodes exactly as JSON.stringify', (t) => {
  const r = new Random(20261121)
  const json = new IncrementalJson(4)
  const doc: Record<string, unknown> = { version: 5, users: [], outbox: [], empty: [] }
  const list = (key: string) => doc[key] as Rec[]
  let n = 0
  for (let step = 0; step < 2_000; step++) {
    const key = r.pick(['users', 'outbox'])
    const records = list(key)
    r.weighted<void>([
      [4, () => { for (let k = r.int(1, 5); k > 0; k--) records.push(record(r, n++)) }],
      [4, () => {
        if (records.length === 0) return
        const changed = r.pick(records)
        json.changedInPlace(changed)
        if (r.chance(0.3)) delete changed.name
        else Object.assign(changed, { flag: r.chance(0.5), note: `第${step}步` })
      }],
      [1, () => { if (records.length > 0) records.splice(r.int(0, records.length - 1), r.int(1, 6)) }],
      [1, () => { doc[key] = records.filter(() => r.chance(0.8)) }],
      [1, () => { doc.version = r.int(1, 9); doc.extra = r.chance(0.5) ? undefined : { step } }],
    ])
    t.is(text(json.encode(doc)), JSON.stringify(doc), `after step ${step}`)
  }
})

test('only the chunks holding a changed record are encoded again', (t) => {
  const json = new IncrementalJson(2)
  const users: Rec[] = Array.from({ length: 6 }, (_, n) => ({ id: `u${n}` }))
  const first = json.encode({ users })
  users[3]!.name = '改'
  json.changedInPlace(users[3]!)
  const second = json.encode({ users })
  t.is(text(second), JSON.stringify({ users }))
  const reused = second.filter((buffer) => first.includes(buffer))
  t.true(reused.some((b) => b.toString() === '{"id":"u0"},{"id":"u1"}'), 'the first chunk is the same buffer')
  t.false(reused.some((b) => b.toString().includes('u3')), 'the changed one is new')
})

test('a change in place that nobody reports is not seen: changes must go through the change log', (t) => {
  const json = new IncrementalJson(2)
  const users: Rec[] = [{ id: 'u0' }, { id: 'u1' }]
  json.encode({ users })
  users[0]!.name = '悄悄改'
  t.is(text(json.encode({ users })), '{"users":[{"id":"u0"},{"id":"u1"}]}')
})

test('documents that are not plain objects are encoded whole', (t) => {
  const json = new IncrementalJson()
  for (const doc of [null, 0, 'x', [1, { a: 2 }], {}, { toJSON: () => 'mine' }, new Date(0)]) {
    t.is(text(json.encode(doc)), JSON.stringify(doc))
  }
})

test('preparing a slice at a time leaves the first encoding little to do, and changes made meanwhile are not lost', (t) => {
  const json = new IncrementalJson(2)
  const users: Rec[] = Array.from({ length: 9 }, (_, n) => ({ id: `u${n}` }))
  const doc = { version: 5, users }
  let calls = 0
  while (!json.prepare(doc, 0)) {
    calls++
    if (calls === 2) { // between slices: a record already prepared changes, another is added
      json.changedInPlace(users[0]!)
      users[0]!.name = '改'
      users.push({ id: 'u9' })
    }
  }
  t.true(calls >= 4, 'one chunk a call when the deadline has passed')
  // The encoding that follows stringifies no list of records: every chunk was prepared.
  const stringify = JSON.stringify
  const lists: unknown[] = []
  JSON.stringify = ((value: unknown, ...rest: []) => { if (Array.isArray(value)) lists.push(value); return stringify(value, ...rest) }) as typeof JSON.stringify
  let prepared: Buffer[]
  try {
    prepared = json.encode(doc)
  } finally {
    JSON.stringify = stringify
  }
  t.deepEqual(lists, [])
  t.is(text(prepared), JSON.stringify(doc))
})
