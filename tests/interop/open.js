'use strict'
// Open a cookie with the real plugin: @fastify/cookie's parser, then decodeSecureSession, as the
// plugin's onRequest hook does. When a previous key opened it, re-seal it as the onSend hook
// would (encodeSecureSession with the first key).
// stdin:  { ...common.js fields, cookie: the cookie value as sent in a Cookie header }
// stdout: { ok: true, data: session.data() (without __ts), ts, rotated, resealed?, reencoded }
//      or { ok: false, reason: the plugin's debug message, or the exception it threw, reencoded }
// `reencoded` is the cookie value as @fastify/cookie would send the parsed value.
const { readRequest, pinClock, buildApp, reply } = require('./common')

async function main () {
  const request = readRequest()
  pinClock(request)
  const cookieName = request.cookieName || 'session'
  const app = await buildApp(request)
  let reason = null
  const log = {
    trace () {},
    debug (msg) { reason = msg },
    info () {},
    warn () {},
    error () {}
  }
  const cookies = app.parseCookie(`${cookieName}=${request.cookie}`)
  // What @fastify/cookie would send for the parsed value: to compare encodings.
  const reencoded = cookies[cookieName] === undefined
    ? null
    : app.serializeCookie(cookieName, cookies[cookieName]).slice(cookieName.length + 1)
  let session
  try {
    session = app.decodeSecureSession(cookies[cookieName], log)
  } catch (e) {
    reply({ ok: false, reason: `threw: ${e.message}`, reencoded })
    return
  }
  if (session === null) {
    reply({ ok: false, reason: reason || 'no session', reencoded })
    return
  }
  const out = {
    ok: true,
    data: session.data(),
    ts: session.get('__ts'),
    rotated: session.changed,
    reencoded
  }
  if (session.changed) out.resealed = app.encodeSecureSession(session)
  reply(out)
  await app.close()
}

main().catch((e) => { console.error(e); process.exit(1) })
