'use strict'
// Seal a session with the real plugin, through its own onSend hook.
// stdin:  { ...common.js fields, data: { field: value, ... } }
// stdout: { setCookie: the Set-Cookie header the plugin sent,
//           wire: the cookie value in that header (percent-encoded by @fastify/cookie),
//           value: the same value decoded, as encodeSecureSession returns it,
//           ts: the `__ts` the plugin wrote }
const { readRequest, pinClock, buildApp, reply } = require('./common')

async function main () {
  const request = readRequest()
  pinClock(request)
  const cookieName = request.cookieName || 'session'
  const app = await buildApp(request, (app) => {
    app.post('/seal', async (req) => {
      for (const [k, v] of Object.entries(request.data || {})) req.session.set(k, v)
      return { ts: req.session.get('__ts') }
    })
  })
  const res = await app.inject({ method: 'POST', url: '/seal' })
  let setCookie = res.headers['set-cookie']
  if (Array.isArray(setCookie)) setCookie = setCookie.find((c) => c.startsWith(cookieName + '='))
  if (!setCookie) throw new Error('the plugin sent no session cookie')
  const wire = setCookie.slice(cookieName.length + 1).split(';')[0]
  const value = app.parseCookie(`${cookieName}=${wire}`)[cookieName]
  reply({ setCookie, wire, value, ts: res.json().ts })
  await app.close()
}

main().catch((e) => { console.error(e); process.exit(1) })
