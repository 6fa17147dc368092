// The package's entry: the Wechaty plugin and what a host bot needs to configure it.
export { SecurityAssistant } from './bot/plugin.js'
export type { SecurityAssistantOptions, SecurityAssistantPlugin, RunningAssistant } from './bot/plugin.js'
export { StoreError } from './store/errors.js'
