'use strict'
// Every code block of the README, pasted as is into a fresh directory where
// `palisade-webhooks` is this package: JavaScript blocks run (their `console.log(...) // output`
// comments are the output they must print; a block that starts a server gets a signed
// delivery and a PUT), JavaScript and TypeScript blocks pass `tsc --strict`, shell blocks name
// scripts, files and make targets that exist. The answer tables agree with the core's codes.

const test = require('node:test')
const assert = require('node:assert/strict')
const fs = require('node:fs')
const os = require('node:os')
const path = require('node:path')
const { spawn, spawnSync } = require('node:child_process')
const readline = require('node:readline')

const { TestSigner, ERROR_STATUS, RECEIVER_STATUS } = require('..')
const { redisUrl, closedPort } = require('./stores.js')
const { send } = require('./http.js')

const PACKAGE = path.join(__dirname, '..')
const ROOT = path.join(PACKAGE, '..')
const README = fs.readFileSync(path.join(PACKAGE, 'README.md'), 'utf8')

/** The fenced blocks: language, text, and the line it starts on. */
const blocks = [...README.matchAll(/^```(\w+)\n([\s\S]*?)^```$/gm)].map((m) => ({
  lang: m[1],
  code: m[2],
  line: README.slice(0, m.index).split('\n').length,
}))

/** A directory where `palisade-webhooks` (and express, fastify) resolve as in an app. */
function appDir() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'palisade-readme-'))
  const modules = path.join(dir, 'node_modules')
  fs.mkdirSync(path.join(modules, '@types'), { recursive: true })
  fs.symlinkSync(PACKAGE, path.join(modules, 'palisade-webhooks'), 'dir')
  for (const name of ['express', 'fastify']) {
    fs.symlinkSync(path.join(PACKAGE, 'node_modules', name), path.join(modules, name), 'dir')
  }
  for (const name of fs.readdirSync(path.join(PACKAGE, 'node_modules', '@types'))) {
    fs.symlinkSync(path.join(PACKAGE, 'node_modules', '@types', name), path.join(modules, '@types', name), 'dir')
  }
  return dir
}

/** @param {{ lang: string, code: string }} block */
function fileName(block, i) {
  if (block.lang === 'ts') return `block-${i}.ts`
  return /^import .* from /m.test(block.code) ? `block-${i}.mjs` : `block-${i}.js`
}

/** The output a block promises: the comments of its `console.log(...)` lines, in order. */
function promisedOutput(/** @type {string} */ code) {
  return [...code.matchAll(/console\.log\(.*\)\s*\/\/ (.*)$/gm)].map((m) => m[1].trim())
}

const codeBlocks = blocks.map((b, i) => ({ ...b, file: fileName(b, i) })).filter((b) => b.lang === 'js' || b.lang === 'ts')

test('the README has its code blocks', () => {
  assert.ok(codeBlocks.length >= 10, `${codeBlocks.length} js/ts blocks`)
  const langs = new Set(blocks.map((b) => b.lang))
  assert.deepEqual([...langs].sort(), ['js', 'sh', 'ts'], 'every block is js, ts or sh (and so checked here)')
})

test('README blocks pass tsc --strict (JavaScript with checkJs)', () => {
  const dir = appDir()
  try {
    for (const b of codeBlocks) fs.writeFileSync(path.join(dir, b.file), b.code)
    fs.writeFileSync(
      path.join(dir, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          target: 'ES2022',
          module: 'node16',
          moduleResolution: 'node16',
          strict: true,
          noEmit: true,
          allowJs: true,
          checkJs: true,
          skipLibCheck: true,
          types: ['node'],
        },
        include: ['*.js', '*.mjs', '*.ts'],
      })
    )
    const tsc = path.join(PACKAGE, 'node_modules', 'typescript', 'bin', 'tsc')
    const r = spawnSync(process.execPath, [tsc, '-p', dir], { encoding: 'utf8' })
    // Point failures at README lines.
    const report = r.stdout.replace(/\S*block-(\d+)\.m?[jt]s\((\d+),/g, (_, i, l) => `README.md line ${blocks[Number(i)].line + Number(l)} (`)
    assert.equal(r.status, 0, report)
  } finally {
    fs.rmSync(dir, { recursive: true, force: true })
  }
})

/**
 * Starts a server block and waits for its "listening" line.
 * @param {string} file
 * @param {NodeJS.ProcessEnv} env
 * @param {string} cwd
 */
async function startServer(file, env, cwd) {
  const child = spawn(process.execPath, [file], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] })
  let stderr = ''
  child.stderr.on('data', (c) => (stderr += c))
  const lines = readline.createInterface({ input: /** @type {any} */ (child.stdout) })
  const ready = new Promise((resolve, reject) => {
    lines.on('line', (line) => /listening/.test(line) && resolve(undefined))
    child.on('exit', (code) => reject(new Error(`exited ${code} before listening: ${stderr}`)))
    setTimeout(() => reject(new Error(`not listening after 20 s: ${stderr}`)), 20000).unref()
  })
  try {
    await ready
  } catch (e) {
    child.kill()
    throw e
  }
  return child
}

for (const [i, block] of codeBlocks.entries()) {
  if (block.lang !== 'js') continue
  test(`README block at line ${block.line} runs as pasted`, async () => {
    const dir = appDir()
    const signer = TestSigner.generate()
    const file = path.join(dir, block.file)
    fs.writeFileSync(file, block.code)
    const port = await closedPort()
    const env = { ...process.env, PALISADE_PUBLIC_KEY: signer.publicKeyB64, REDIS_URL: redisUrl(), PORT: String(port) }
    try {
      if (/\.listen\(/.test(block.code)) {
        // A server: it must answer a signed delivery, and a PUT with the receiver's 405.
        const child = await startServer(file, env, dir)
        try {
          const d = signer.delivery('TRANSACTION', { id: `tx-readme-${i}`, status: 'CONFIRMED', updatedAt: 'u' })
          const url = `http://127.0.0.1:${port}/webhooks/palisade`
          const headers = /** @type {[string, string][]} */ (Object.entries(d.headers))
          const ok = await send(url, { headers, body: d.body })
          assert.equal(ok.status, 200, String(ok.body))
          assert.equal(ok.body.toString(), '{"status":"processed"}')
          const put = await send(url, { method: 'PUT', headers, body: d.body })
          assert.equal(put.status, 405)
        } finally {
          child.kill()
        }
        return
      }
      const r = spawnSync(process.execPath, [file], { cwd: dir, env, encoding: 'utf8', timeout: 30000 })
      assert.equal(r.status, 0, r.stderr)
      const promised = promisedOutput(block.code)
      if (promised.length > 0) assert.deepEqual(r.stdout.trimEnd().split('\n'), promised)
    } finally {
      fs.rmSync(dir, { recursive: true, force: true })
    }
  })
}

test('README shell blocks name scripts, files and targets that exist', () => {
  const scripts = JSON.parse(fs.readFileSync(path.join(PACKAGE, 'package.json'), 'utf8')).scripts
  const makefiles = [path.join(ROOT, 'Makefile'), ...fs.readdirSync(path.join(ROOT, 'mk')).map((f) => path.join(ROOT, 'mk', f))]
  const targets = new Set(makefiles.flatMap((f) => [...fs.readFileSync(f, 'utf8').matchAll(/^([\w-]+):/gm)].map((m) => m[1])))
  let checked = 0
  for (const block of blocks.filter((b) => b.lang === 'sh')) {
    for (const raw of block.code.split('\n')) {
      // Commands: the line without its comment; `or: make x` in a comment is a command too.
      const commands = [raw.replace(/#.*/, ''), ...(raw.match(/# or: (.*)/)?.slice(1) ?? [])].map((c) => c.trim()).filter(Boolean)
      for (const command of commands) {
        const [tool, ...args] = command.split(/\s+/)
        if (tool === 'cd') assert.ok(fs.statSync(path.join(ROOT, args[0])).isDirectory(), command)
        else if (tool === 'npm' && args[0] === 'run') assert.ok(args[1] in scripts, command)
        else if (tool === 'npm' && args[0] === 'install') {
          // The registry name, or make dist's tarballs: what test-dist installs offline.
          assert.ok(['palisade-webhooks', '"$DIST"/npm/palisade-webhooks-*.tgz', '/path/to/bindings-node'].includes(args[1]), command)
        } else if (tool === 'npm') assert.equal(args[0], 'ci', command)
        else if (/^[A-Z_]+=/.test(tool)) continue // a shell variable the next lines use
        else if (tool === 'node') assert.ok(fs.existsSync(path.join(ROOT, args[0])), command)
        else if (tool === 'make') assert.ok(targets.has(args[0]), command)
        else assert.fail(`a command this test does not know: ${command}`)
        checked++
      }
    }
  }
  assert.ok(checked >= 5, `${checked} commands checked`)
})

test('the README tables give each code the status the core gives it', () => {
  const status = { ...ERROR_STATUS, ...RECEIVER_STATUS }
  let rows = 0
  for (const line of README.split('\n')) {
    const cells = line.split('|').map((c) => c.trim())
    if (cells.length < 4) continue
    const numbers = cells.filter((c) => /^\d{3}$/.test(c))
    const codes = cells.flatMap((c) => [...c.matchAll(/`((?:ERR_[A-Z_]+)|processed|duplicate|in_progress)`/g)].map((m) => m[1]))
    if (numbers.length !== 1 || codes.length === 0) continue
    for (const code of codes) {
      if (code === 'processed' && line.includes('{"status"')) continue
      assert.ok(code in status, `${code} is a code`)
      assert.equal(String(status[/** @type {keyof typeof status} */ (code)]), numbers[0], line)
    }
    rows++
  }
  assert.ok(rows >= 19, `${rows} table rows checked`)
})
