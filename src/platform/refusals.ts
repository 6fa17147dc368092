// The refusals several routes give, declared once: what the OpenAPI description lists and what is thrown
// are the same record, so they cannot drift apart.
import { apiTexts } from '../texts.js'
import type { Refusal } from './http.js'

export const UNKNOWN_ACCOUNT: Refusal = { status: 404, error: 'unknown-account', when: 'no account has this id', message: apiTexts.unknownAccount }
export const UNKNOWN_USER: Refusal = { status: 404, error: 'unknown-user', when: 'no user has this WeChat ID', message: apiTexts.unknownUser }
export const UNKNOWN_OPERATION: Refusal = { status: 404, error: 'unknown-operation', when: 'no operation request has this id', message: apiTexts.unknownOperation }
export const UNKNOWN_LOGIN: Refusal = { status: 404, error: 'unknown-login', when: 'no login has this id', message: apiTexts.unknownLogin }
export const WECHAT_ID_TAKEN: Refusal = { status: 409, error: 'wechat-id-taken', when: 'another user has this WeChat ID', message: apiTexts.wechatIdTaken }
export const PHONE_TAKEN: Refusal = { status: 409, error: 'phone-taken', when: 'another user has this mobile number (one number, one WeChat account)', message: apiTexts.phoneTaken }
export const NO_SUCH_PAGE: Refusal = { status: 404, error: 'no-such-page', when: 'the page is past the last one (the message says how many there are)' }
export const NO_WEBHOOK: Refusal = { status: 404, error: 'no-webhook', when: 'no webhook is registered', message: apiTexts.noWebhook }
export const BAD_WEBHOOK_URL: Refusal = { status: 400, error: 'bad-webhook-url', when: 'the URL is not an http(s) URL, carries a user name, password or #fragment, or names an address a webhook may never reach' }
