// The whole assistant on PostgreSQL: the plugin on the mock puppet, on a fresh database seeded with the
// demo world, driven through real conversations; a restart on the same database; and two plugins (two
// processes, each with its own pool) on one database, an invitation made through one answered through the other.
import test from 'ava'
import type { ExecutionContext } from 'ava'
import { hours } from '../src/domain/calendar.js'
import { startDatabaseWorld } from './fixture.js'
import type { World } from './fixture.js'
import { postgresForFile } from './helpers/postgres.js'

const WANGFANG = 'u_wangfang' // admin of 晨光茶馆 (acc_tea)
const ZHOUXIAO = 'u_zhouxiao' // follows 晨光茶馆, eligible
const ZHANGWEI = 'u_zhangwei'

const postgres = postgresForFile(test)

async function worldOn (t: ExecutionContext, database: NonNullable<Parameters<typeof startDatabaseWorld>[0]['database']>): Promise<World> {
  const world = await startDatabaseWorld({ database })
  t.teardown(world.stop)
  return world
}

async function activeTeaBinding (w: World): Promise<boolean> {
  const bindings = await w.assistant.engine.bindingsOfUser(ZHOUXIAO)
  return bindings.some((b) => b.accountId === 'acc_tea' && b.role === 'short' && !b.endedAt)
}

test('on a fresh database seeded with the demo world: a lookup, an invitation accepted, and a restart keeps it', async (t) => {
  const { name } = await postgres().freshDatabase()
  const url = postgres().url(name)
  const w = await worldOn(t, { url })
  t.is(w.assistant.store, undefined, 'no embedded store')
  t.regex(w.assistant.storage, /^database postgres:\/\/postgres@127\.0\.0\.1:\d+\/t_[0-9a-f]+$/, 'named without the password')

  const lookup = await w.ask(ZHANGWEI, '绑定查询 13800138000')
  t.true(lookup.includes('共 2 个'), lookup)
  t.false(lookup.includes('13800138000'), 'the number is masked')

  const sent = await w.ask(WANGFANG, '绑定运营者 zhouxiao_new 短期 晨光茶馆')
  t.true(sent.startsWith('已发出邀请:周晓(微信号 zhouxiao_new)成为「晨光茶馆」的短期运营者。邀请码 '), sent)
  const [invitation] = await w.inboxOf(ZHOUXIAO, 1)
  t.true(invitation!.includes('王芳(「晨光茶馆」的管理员)邀请你成为「晨光茶馆」的短期运营者'), invitation)

  w.clock.advance(hours(2))
  const accepted = await w.ask(ZHOUXIAO, '同意')
  t.true(accepted.startsWith('你已成为「晨光茶馆」的短期运营者'), accepted)
  const notice = (await w.inboxOf(WANGFANG, 2))[1]
  t.true(notice!.startsWith('周晓(微信号 zhouxiao_new)已接受邀请,成为「晨光茶馆」的短期运营者'), notice)
  t.true(await activeTeaBinding(w), 'the binding is in the database')
  t.is(w.assistant.platform.failure(), undefined)

  await w.stop()
  const again = await worldOn(t, { url })
  t.true(await activeTeaBinding(again), 'kept across a restart (and not seeded again)')
  const after = await again.ask(ZHOUXIAO, '绑定查询 zhouxiao_new')
  t.true(after.includes('1. 晨光茶馆 — 短期运营者'), after)
})

test('two plugins on one database: an invitation made through one is answered through the other', async (t) => {
  const { name, pool } = await postgres().freshDatabase()
  // One is given the host's pool (left open when it closes), the other makes its own from the URL.
  const first = await worldOn(t, { pool })
  const second = await worldOn(t, { url: postgres().url(name) })

  const sent = await first.ask(WANGFANG, '绑定运营者 zhouxiao_new 短期 晨光茶馆')
  t.true(sent.includes('邀请码 '), sent)
  await first.inboxOf(ZHOUXIAO, 1) // delivered by the first process

  const accepted = await second.ask(ZHOUXIAO, '同意')
  t.true(accepted.startsWith('你已成为「晨光茶馆」的短期运营者'), accepted)
  t.true(await activeTeaBinding(first), 'the first process reads what the second wrote')
  // The acceptance's notice to 王芳 went out once, through whichever process delivered it.
  await first.settled()
  await second.settled()
  const notices = [...first.inbox(WANGFANG), ...second.inbox(WANGFANG)].filter((text) => text.startsWith('周晓(微信号 zhouxiao_new)已接受邀请'))
  t.is(notices.length, 1, JSON.stringify(notices))

  await first.stop()
  const { rows } = await pool.query<{ one: number }>('select 1 as one')
  t.is(rows[0]!.one, 1, "the host's pool is left open")
})

test('options: dataFile or database, not both nor neither', async (t) => {
  const { SecurityAssistant } = await import('../src/mod.js')
  const { WechatyBuilder } = await import('wechaty')
  const { PuppetMock, mock } = await import('wechaty-puppet-mock')
  for (const [options, problem] of [
    [{}, /dataFile: name the data file, or give database/],
    [{ dataFile: 'x.json', database: { url: 'postgres://a@b/c' } }, /not both/],
    [{ database: { url: 'mysql://a@b/c' } }, /database/],
  ] as const) {
    const bot = WechatyBuilder.build({ puppet: new PuppetMock({ mocker: new mock.Mocker() }) })
    const plugin = SecurityAssistant(options as never)
    bot.use(plugin)
    await t.throwsAsync(plugin.ready(), { message: problem })
    await plugin.close()
  }
})
