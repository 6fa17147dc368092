// `npm test` runs ava twice (scripts/test-both-engines.sh): every file on the embedded engine, then the
// files that drive the assistant again with ASSISTANT_TEST_ENGINE=postgres. The others are pure rules,
// or about one engine (the data file and its lock, PostgreSQL's own tests), or already run both engines
// themselves (store-contract).
const ON_BOTH_ENGINES = [
  'access-review', 'alerts', 'audience', 'chat', 'console', 'decisions', 'hostile-input', 'invitations', 'jobs', 'logins', 'lookup', 'lookup-notices', 'operators', 'outbox',
  'platform-api', 'platform-accounts', 'platform-service', 'puppet-service', 'random-chat', 'renewal', 'unbind', 'webhook',
]

export default {
  extensions: { ts: 'module' },
  nodeArguments: ['--import=tsx'],
  workerThreads: false,
  files: process.env.ASSISTANT_TEST_ENGINE === 'postgres'
    ? ON_BOTH_ENGINES.map((name) => `test/${name}.test.ts`)
    : ['test/**/*.test.ts'],
  timeout: '60s',
  environmentVariables: { WECHATY_LOG: 'silent' },
}
