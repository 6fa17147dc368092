// The data file's text from cached record texts is exactly JSON.stringify of the document.
import test from 'ava'
import { DocumentText } from '../src/store/document-text.js'

test('the text is JSON.stringify of the document, and a forgotten record is serialised again', (t) => {
  const record = { id: 'b1', role: 'short', expiresAt: '2026-12-21T02:00:00.000Z', endedAt: undefined as string | undefined, remindersSent: [3] }
  const document = { version: 5, accounts: [], bindings: [record, { id: 'b2', note: 'quote " and \\ and 中文' }], history: [null, 1, 'x'] }
  const text = new DocumentText()
  t.is(text.of(document), JSON.stringify(document))
  record.endedAt = '2026-12-01T00:00:00.000Z'
  t.not(text.of(document), JSON.stringify(document), 'unforgotten, the cached text stands (which is why every change forgets what it touches)')
  text.forget(record)
  t.is(text.of(document), JSON.stringify(document))
  t.deepEqual(JSON.parse(text.of(document)), JSON.parse(JSON.stringify(document)))
})
