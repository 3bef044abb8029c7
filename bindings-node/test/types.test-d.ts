// Compile-time checks of the typed layer (run by `tsc -p .`, not at run time).
import { Event, Webhook, TestSigner, Deduplicator, WebhookError, type Resource } from '..'

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
  const results = await webhook.verifyBatch([d])
  for (const item of results) {
    if (!item.ok) {
      const code: WebhookError['code'] = item.error.code
      void code
    }
  }
}
void run
