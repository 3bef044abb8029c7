// A Palisade webhook receiver as a Fetch-API handler: the same code serves a Next.js route
// handler (`export { handler as POST }` in app/webhooks/palisade/route.ts), Hono
// (`app.all('/webhooks/palisade', (c) => handler(c.req.raw))`) and other Request/Response
// runtimes. What it answers is decided by the SDK's receiver, the same in every language.

import { Deduplicator, fetchWebhook, MemoryStore, Webhook, type Event, type Transaction } from 'palisade-webhooks'

const publicKey = process.env.PALISADE_PUBLIC_KEY
if (!publicKey) throw new Error('PALISADE_PUBLIC_KEY is not set (the key shown for this webhook in the Palisade console)')

const webhook = new Webhook(publicKey, { maxBodyBytes: 256 * 1024 })
const deduplicator = new Deduplicator({ store: new MemoryStore() })

/** What the receiver does with a confirmed transfer. */
async function settle(tx: Transaction): Promise<void> {
  const amount: string | undefined = tx.qty // decimal string, never a float
  console.log(`settling ${tx.id}: ${amount ?? '?'} ${tx.asset?.symbol ?? ''}`)
}

async function onEvent(event: Event): Promise<void> {
  const data = event.data
  switch (data.kind) {
    case 'transaction':
      if (data.status === 'CONFIRMED') await settle(data)
      return
    case 'wallet':
      console.log(`wallet ${data.id} is ${data.status ?? 'unknown'}`)
      return
    case 'approval':
      console.log(`approval ${data.id}: ${data.status ?? 'pending'}`)
      return
    default:
      // A domain this SDK version does not model: everything is in event.raw.
      console.log(`ignored a ${event.domain} event`)
  }
}

export const handler: (request: Request) => Promise<Response> = fetchWebhook({
  webhook,
  deduplicator,
  handler: onEvent,
  // Each answer's line (processed / duplicate / rejected ...); a failing handler's error too.
  logger: console,
})

export default handler
