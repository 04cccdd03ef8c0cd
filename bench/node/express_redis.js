'use strict'
// The Node peer of bench/scripts/bench-peers.sh: an express 5 app with express-session and
// connect-redis (on the `redis` client) serving the counter
// {"hello":"route requested N times in this session"} at GET /, counting in the session's
// `count` field like examples/counter.rs. The cookie `session` carries a signed session id;
// the session itself is kept in Redis (a GET and a SET per request).
//
// Environment:
//   PORT       port on 127.0.0.1 (0 or unset: any free port)
//   REDIS_URL  the Redis server (default redis://127.0.0.1:6379)
//   NODE_ENV   production, as the bench script runs it
// Prints `express_redis listening on http://127.0.0.1:<port>/` once it accepts connections.
const crypto = require('node:crypto')
const express = require('express')
const session = require('express-session')
const { RedisStore } = require('connect-redis')
const { createClient } = require('redis')

async function main () {
  const client = createClient({ url: process.env.REDIS_URL || 'redis://127.0.0.1:6379' })
  client.on('error', (err) => console.error('redis:', err))
  await client.connect()

  const app = express()
  app.disable('x-powered-by')
  app.use(session({
    store: new RedisStore({ client }),
    name: 'session',
    // Made at start-up, as the Rust peers' keys: cookies do not outlive the process.
    secret: crypto.randomBytes(32).toString('base64'),
    resave: false,
    saveUninitialized: false,
    // express-session sets no Secure cookie on a plain-http connection, so this one is not
    // Secure; otherwise the demo's attributes: HttpOnly, SameSite=Lax, Path=/.
    cookie: { httpOnly: true, sameSite: 'lax', path: '/' }
  }))
  app.get('/', (req, res) => {
    const count = (Number.isInteger(req.session.count) ? req.session.count : 0) + 1
    req.session.count = count
    res.json({ hello: `route requested ${count} times in this session` })
  })

  const server = app.listen(Number(process.env.PORT || 0), '127.0.0.1', () => {
    console.log(`express_redis listening on http://127.0.0.1:${server.address().port}/`)
  })
  for (const signal of ['SIGINT', 'SIGTERM']) {
    process.on(signal, () => server.close(() => client.quit().then(() => process.exit(0))))
  }
}

main().catch((err) => {
  console.error(err)
  process.exit(1)
})
