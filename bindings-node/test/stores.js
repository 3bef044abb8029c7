'use strict'
// Shared by the store tests: the three store kinds over real components (SQLite files in a
// temporary directory, the Redis server the test run started), and helpers for Redis faults.
// Not a test file itself (it defines no tests).

const fs = require('node:fs')
const net = require('node:net')
const os = require('node:os')
const path = require('node:path')
const crypto = require('node:crypto')
const { spawn } = require('node:child_process')

const { MemoryStore, SqliteStore, RedisStore } = require('..')

/**
 * The Redis server of this test run. Missing means the suite was started the wrong way: the
 * Redis tests fail (they never skip).
 */
function redisUrl() {
  const url = process.env.PALISADE_TEST_REDIS_URL
  if (!url) {
    throw new Error(
      'PALISADE_TEST_REDIS_URL is not set: the Redis store tests need a real server. Run ' +
        '`make test-node`, or `bash ../scripts/with-redis.sh npm test` in bindings-node, which ' +
        'starts a throwaway redis-server on 127.0.0.1.'
    )
  }
  return url
}

/** A key prefix no other test (or run) uses. */
function uniquePrefix(name) {
  return `test:node:${name}:${crypto.randomUUID()}:`
}

let dir = null
/** A fresh SQLite file path in this process's temporary directory (removed at exit). */
function sqlitePath(name = 'idempotency') {
  if (dir === null) {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'palisade-node-stores-'))
    process.on('exit', () => fs.rmSync(dir, { recursive: true, force: true }))
  }
  return path.join(dir, `${name}-${crypto.randomUUID()}.sqlite3`)
}

/** Makes a store of each kind: `make()` a fresh one, `location` what a second handle needs. */
const KINDS = ['memory', 'sqlite', 'redis']

function newStore(kind) {
  if (kind === 'memory') return new MemoryStore()
  if (kind === 'sqlite') return new SqliteStore(sqlitePath())
  if (kind === 'redis') return new RedisStore(redisUrl(), { prefix: uniquePrefix('store') })
  throw new Error(`unknown store kind ${kind}`)
}

/** A 127.0.0.1 port with nothing listening (bound, then released). */
async function closedPort() {
  const server = net.createServer()
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = /** @type {net.AddressInfo} */ (server.address())
  await new Promise((resolve) => server.close(resolve))
  return port
}

/**
 * Starts a redis-server of our own (the binary the test run found) on a free port, for tests
 * that stop and restart it. `stop()` kills it; `start()` starts it again on the same port.
 */
async function ownRedis() {
  const binary = process.env.PALISADE_TEST_REDIS_SERVER
  if (!binary) {
    throw new Error('PALISADE_TEST_REDIS_SERVER is not set: run the suite under scripts/with-redis.sh (make test-node)')
  }
  const port = await closedPort()
  const workdir = fs.mkdtempSync(path.join(os.tmpdir(), 'palisade-node-redis-'))
  let child = null
  const start = async () => {
    child = spawn(binary, ['--bind', '127.0.0.1', '--port', String(port), '--save', '', '--appendonly', 'no', '--dir', workdir], {
      stdio: 'ignore',
    })
    for (let i = 0; i < 200; i++) {
      if (await pong(port)) return
      await new Promise((resolve) => setTimeout(resolve, 25))
    }
    throw new Error(`redis-server did not answer on 127.0.0.1:${port}`)
  }
  const stop = async () => {
    if (!child) return
    const exited = new Promise((resolve) => child.once('exit', resolve))
    child.kill('SIGKILL')
    await exited
    child = null
  }
  await start()
  return {
    url: `redis://127.0.0.1:${port}/0`,
    start,
    stop,
    async close() {
      await stop()
      fs.rmSync(workdir, { recursive: true, force: true })
    },
  }
}

/** True when a Redis server answers PING on 127.0.0.1:port. */
function pong(port) {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1')
    let reply = ''
    socket.setTimeout(500, () => socket.destroy())
    socket.on('connect', () => socket.write('PING\r\n'))
    socket.on('data', (chunk) => {
      reply += chunk
      if (reply.includes('\r\n')) socket.end()
    })
    socket.on('error', () => {})
    socket.on('close', () => resolve(reply.startsWith('+PONG')))
  })
}

module.exports = { KINDS, newStore, redisUrl, uniquePrefix, sqlitePath, closedPort, ownRedis }
