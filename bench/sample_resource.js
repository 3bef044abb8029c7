'use strict'

// The benchmark's resource, shared by bench/node_bench.js and bench/node_profile.js: the same
// resource as core/examples/bench.rs `sample_resource()`, byte for byte.
const RESOURCE =
  '{"id":"0196153b-aaaa-7cd3-b511-354373d28130","walletId":"0196153b-67bc-7cd3-b511-354373d28130",' +
  '"vaultId":"0196152d-5294-739d-9945-2a499f9e3989","createdBy":"a55df9e0-e14a-4410-a983-12afae46662f",' +
  '"createdAt":"2025-05-08T14:15:30.123456Z","updatedAt":"2025-05-08T14:15:36.900490Z",' +
  '"status":"CONFIRMED","action":"WITHDRAWAL","externalId":"order-982734","blockchain":"ETHEREUM",' +
  '"asset":{"id":"usdc-eth","symbol":"USDC","name":"USD Coin","blockchain":"ETHEREUM",' +
  '"decimals":6,"contract":"0xA0b86991c6218b36c1d19D4a2e9Eb0cE3606eB48"},"feeAsset":{"id":"eth",' +
  '"symbol":"ETH","name":"Ether","blockchain":"ETHEREUM","decimals":18},"origin":{"id":"0196153b-67bc-7cd3-b511-354373d28130",' +
  '"type":"WALLET","address":"0x4644320f31D6958Ed8603Eb666044950Aa69702e"},"destination":{"type":"ADDRESS",' +
  '"address":"0x8ba1f109551bD432803012645Ac136ddd64DBA72"},"qty":"1250.000000","feeQty":"0.000421337000000000",' +
  '"sequence":"18446744073709551615","hash":"0x5c504ed432cb51138bcf09aa5e8a410dd4a1e204ef84bfed1be16dfba1b22060",' +
  '"attributes":{"attr0":"value-0-0123456789abcdef","attr1":"value-1-0123456789abcdef",' +
  '"attr2":"value-2-0123456789abcdef","attr3":"value-3-0123456789abcdef","attr4":"value-4-0123456789abcdef",' +
  '"attr5":"value-5-0123456789abcdef","attr6":"value-6-0123456789abcdef","attr7":"value-7-0123456789abcdef",' +
  '"attr8":"value-8-0123456789abcdef","attr9":"value-9-0123456789abcdef","attr10":"value-10-0123456789abcdef",' +
  '"attr11":"value-11-0123456789abcdef"}}'

module.exports = { RESOURCE }
