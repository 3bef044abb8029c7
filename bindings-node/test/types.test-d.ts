// Compile-time checks of the typed layer (run by `tsc -p .`, not at run time).
import { Event, Webhook, TestSigner, Deduplicator, WebhookError, SqliteStore, RedisStore, MemoryStore, httpStatusFor, type Resource, type IdempotencyStore } from '..'

declare const event: Event
const data: Resource = event.data
if (data.kind === 'transaction') {
  const qty: string | undefined = data.qty
  const status: string | undefined = data.status
  void qty, status
} else if (data.kind === 'wallet') {
  const keystore: string | undefined = data.keystore
  void keystore
} else if (data.kind === 'unknown') {
  const anything: unknown = data['whatever']
  void anything
}
const signer = TestSigner.generate()
const webhook = new Webhook([signer.publicKeyB64], { maxAge: 60, digest: 'sha256' })
const d = signer.delivery('WALLET', { id: 'w' })
const e: Event = webhook.verify(d.body, d.headers)
const key: string = e.idempotencyKey
void key
async function run(): Promise<void> {
  const r = await new Deduplicator().process(e, async () => 42)
  if (r.status === 'processed') {
    const n: number = r.result
    void n
  }
  const stores: IdempotencyStore[] = [
    new MemoryStore({ maxEntries: 10 }),
    new SqliteStore('/tmp/x.sqlite3', { busyTimeoutMs: 100, syncEveryCommit: false }),
    new RedisStore('redis://127.0.0.1:6379/0', { prefix: 'app:', timeoutMs: 500, connectTimeoutMs: 500 }),
  ]
  const redis = new RedisStore('redis://127.0.0.1:6379/0')
  await redis.ping()
  const prefix: string = redis.prefix
  const dedup = new Deduplicator({ store: stores[1], leaseSeconds: 30 })
  const p = await dedup.process('k', () => 'x')
  if (p.status === 'processed' && !p.completed) {
    const err: Error | undefined = p.completeError
    void err
  }
  const status: number = httpStatusFor('ERR_STORE_UNAVAILABLE')
  void prefix, status
  const results = await webhook.verifyBatch([d])
  for (const item of results) {
    if (!item.ok) {
      const code: WebhookError['code'] = item.error.code
      void code
    }
  }
}
void run

// The Receiver, its answers and tickets; the adapters over either a webhook or a receiver.
import {
  Receiver,
  FaultyStore,
  CODES,
  ERROR_STATUS,
  ANSWER_CODES,
  expressWebhook,
  fetchWebhook,
  verifyWebhook,
  type Answer,
  type AnswerCode,
  type Diagnosis,
  type Logger,
} from '..'

async function receiving(): Promise<void> {
  const receiver = new Receiver(webhook, new Deduplicator({ store: new FaultyStore(new MemoryStore(), 'claim') }))
  const begun = await receiver.beginAsync(d.body, d.headers, { method: 'POST', declaredLength: d.body.length })
  let answer: Answer
  if (begun.answer) {
    answer = begun.answer
  } else {
    const event: Event = begun.event
    void event
    answer = await begun.ticket.finishOkAsync()
  }
  const code: AnswerCode = answer.code
  const pairs: readonly (readonly [string, string])[] = answer.headers
  const level: 'info' | 'warning' | 'error' = answer.logLevel
  void code, pairs, level
  const sync = receiver.begin(d.body, d.headers)
  if (sync.ticket) sync.ticket.finishFailed(new Error('x'))
  const report: Diagnosis = webhook.diagnose(d.body, d.headers)
  const digest: 'sha256' | 'sha256-double' | null = report.digest
  void digest
  const settled: 'ERR_TICKET_SETTLED' = CODES.TICKET_SETTLED
  const unauthorized: 401 = ERROR_STATUS.ERR_INVALID_SIGNATURE
  const first: string | undefined = ANSWER_CODES[0]
  void settled, unauthorized, first
  const logger: Logger = console
  const viaReceiver = fetchWebhook({ receiver, handler: async () => {}, logger })
  const viaWebhook = expressWebhook({ webhook, deduplicator: null, handler: (event) => void event.idempotencyKey, logger: null })
  void viaReceiver, viaWebhook
  const ok: boolean = verifyWebhook(Buffer.from('k'), new Uint8Array(2), 'payload')
  void ok
}
void receiving

// @ts-expect-error: a receiver or a webhook, not both
fetchWebhook({ receiver: new Receiver(webhook), webhook, handler: async () => {} })
