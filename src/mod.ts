// The package's entry: the Wechaty plugin and what a host bot needs to configure it.
export { SecurityAssistant } from './bot/plugin.js'
export type { SecurityAssistantOptions, SecurityAssistantPlugin, RunningAssistant } from './bot/plugin.js'
export { StoreError } from './store/errors.js'
export { startPlatformApi } from './platform/api.js'
export type { ApiOptions, RunningApi } from './platform/api.js'
export type { Platform } from './assistant.js'
export { createLogger, silentLogger } from './log.js'
export type { Logger, LogFields, LoggerOptions, LogLevel, LogFormat } from './log.js'
