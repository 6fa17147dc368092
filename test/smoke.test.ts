import test from 'ava'
import { startWorld } from './fixture.js'

test('smoke', async (t) => {
  const world = await startWorld()
  t.teardown(world.stop)
  console.log(await world.ask('u_zhangwei', '帮助'))
  console.log(await world.ask('u_zhangwei', '绑定查询 13800138000'))
  console.log(await world.ask('u_zhangwei', '解绑 1'))
  console.log(await world.ask('u_zhangwei', '确认'))
  await world.settled()
  console.log(world.inbox('u_wangfang'))
  console.log(await world.ask('u_zhaomin_home', '绑定查询 110105199502280078'))
  console.log(await world.ask('u_sunli', '绑定查询'))
  console.log(await world.ask('u_sunli', '3'))
  console.log(await world.ask('u_sunli', 'sunli_design'))
  t.pass()
})
