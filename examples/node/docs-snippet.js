// The documentation's verification function, with the same name and argument order, now one
// call into palisade-webhooks. Drop-in: it returns true/false and never throws.
//
//   node docs-snippet.js <publicKeyB64> <signatureB64> <payloadB64>
//   (without arguments it signs and checks a sample delivery with a throwaway key)

'use strict'

const palisade = require('palisade-webhooks')

/**
 * Verifies a Palisade webhook signature.
 * @param {string} publicKeyB64 the webhook's public key, as shown in the Palisade console
 * @param {string} signatureB64 the `Signature` header
 * @param {string} payloadB64 the envelope's `payload` string, exactly as received
 * @returns {boolean}
 */
function verifyWebhook(publicKeyB64, signatureB64, payloadB64) {
  return palisade.verifyWebhook(publicKeyB64, signatureB64, payloadB64)
}

module.exports = { verifyWebhook }

if (require.main === module) {
  let [publicKeyB64, signatureB64, payloadB64] = process.argv.slice(2)
  if (!payloadB64) {
    const signer = palisade.TestSigner.generate()
    const delivery = signer.delivery('WALLET', { id: 'w-1', status: 'PROVISIONED', updatedAt: '2025-04-08T11:48:56Z' })
    publicKeyB64 = signer.publicKeyB64
    signatureB64 = delivery.signature
    payloadB64 = delivery.payload
  }
  const ok = verifyWebhook(publicKeyB64, signatureB64, payloadB64)
  console.log(ok ? 'signature valid' : 'signature INVALID')
  process.exitCode = ok ? 0 : 1
}
