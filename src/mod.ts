// The package's entry: the Wechaty plugin and what a host bot needs to configure it.
export { SecurityAssistant } from './bot/plugin.js'
export type { SecurityAssistantOptions, SecurityAssistantPlugin, RunningAssistant } from './bot/plugin.js'
export { StoreError } from './store/errors.js'
export { createLogger, silentLogger } from './log.js'
export type { Logger, LogFields, LoggerOptions, LogLevel, LogFormat } from './log.js'
