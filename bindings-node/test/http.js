'use strict'
// Shared by the adapter and README tests: the three adapters served over real HTTP on
// 127.0.0.1, and a node:http client that sends headers exactly as given (repeated names
// repeated) and a body with or without Content-Length (chunked). Not a test file itself.

const http = require('node:http')
const { Readable } = require('node:stream')

const express = require('express')
const Fastify = require('fastify')

const { expressWebhook, fastifyWebhook, fetchWebhook } = require('..')

const ADAPTERS = ['express', 'fastify', 'fetch']

/** @param {http.Server} server */
function listen(server) {
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${/** @type {any} */ (server.address()).port}`))
  )
}

/**
 * Serves a Fetch-API handler over node:http, the way Node-based Fetch runtimes do (the body
 * streams through, so a chunked body stays chunked).
 * @param {(request: Request) => Promise<Response>} handler
 */
function fetchServer(handler) {
  return http.createServer(async (req, res) => {
    try {
      const hasBody = req.method !== 'GET' && req.method !== 'HEAD'
      const headers = new Headers()
      for (let i = 0; i < req.rawHeaders.length; i += 2) headers.append(req.rawHeaders[i], req.rawHeaders[i + 1])
      const request = new Request(`http://127.0.0.1${req.url}`, {
        method: req.method,
        headers,
        body: hasBody ? /** @type {any} */ (Readable.toWeb(req)) : undefined,
        // @ts-ignore: undici's option for a streamed request body
        duplex: 'half',
      })
      const response = await handler(request)
      res.writeHead(response.status, Object.fromEntries(response.headers))
      res.end(Buffer.from(await response.arrayBuffer()))
    } catch (e) {
      // Not an answer the adapter gave: the test that sees it fails.
      res.writeHead(599)
      res.end(String(e && /** @type {any} */ (e).stack))
    }
  })
}

/**
 * Starts one adapter at `/hook` with the given options (`receiver` or `webhook`...,
 * `handler`, `logger`). `setup(app)` runs first on Express and Fastify apps.
 * @param {string} kind
 * @param {object} options
 * @param {{ setup?: (app: any) => void | Promise<void> }} [extra]
 * @returns {Promise<{ url: string, close: () => Promise<void> }>}
 */
async function serve(kind, options, { setup } = {}) {
  if (kind === 'express') {
    const app = express()
    app.set('env', 'test')
    if (setup) await setup(app)
    app.all('/hook', expressWebhook(/** @type {any} */ (options)))
    app.post('/json', express.json(), (req, res) => res.json({ got: req.body }))
    const server = http.createServer(app)
    const url = await listen(server)
    return { url, close: () => new Promise((r) => server.close(() => r(undefined))) }
  }
  if (kind === 'fastify') {
    const app = Fastify()
    if (setup) await setup(app)
    await app.register(fastifyWebhook, { prefix: '/hook', ...options })
    app.post('/json', async (request) => ({ got: request.body }))
    const url = await app.listen({ port: 0, host: '127.0.0.1' })
    return { url, close: () => app.close() }
  }
  if (kind === 'fetch') {
    const handle = fetchWebhook(/** @type {any} */ (options))
    const server = fetchServer((request) =>
      new URL(request.url).pathname === '/hook' ? handle(request) : Promise.resolve(new Response(null, { status: 404 }))
    )
    const url = await listen(server)
    return { url, close: () => new Promise((r) => server.close(() => r(undefined))) }
  }
  throw new Error(`unknown adapter ${kind}`)
}

/**
 * Sends one request with node:http. `headers` are pairs, sent in order (repeated names
 * repeated). With `sendLength`, a Content-Length is sent; without, the body goes chunked.
 * @param {string} url
 * @param {{ method?: string, headers?: [string, string][], body?: Buffer | string, sendLength?: boolean }} request
 * @returns {Promise<{ status: number, headers: http.IncomingHttpHeaders, body: Buffer }>}
 */
function send(url, { method = 'POST', headers = [], body = Buffer.alloc(0), sendLength = true }) {
  const bytes = Buffer.from(body)
  return new Promise((resolve, reject) => {
    // With headers given as a list, Node adds no Host header of its own.
    const flat = ['Host', new URL(url).host, ...headers.flat()]
    if (sendLength) flat.push('Content-Length', String(bytes.length))
    const req = http.request(url, { method, headers: flat, agent: false }, (res) => {
      /** @type {Buffer[]} */
      const chunks = []
      res.on('data', (c) => chunks.push(c))
      res.on('end', () => resolve({ status: /** @type {number} */ (res.statusCode), headers: res.headers, body: Buffer.concat(chunks) }))
      res.on('error', reject)
    })
    req.on('error', reject)
    if (sendLength) {
      req.end(bytes)
    } else {
      // Written before end(): Node sends the headers without a length, then chunks.
      const half = bytes.length >> 1
      req.write(bytes.subarray(0, half))
      req.end(bytes.subarray(half))
    }
  })
}

module.exports = { ADAPTERS, serve, send, listen, fetchServer }
