'use strict'
// A fastify 5 app with @fastify/secure-session serving the counter
// {"hello":"route requested N times in this session"} at GET /, counting in the session's
// `count` field like `cargo run --example fastify_counter --features fastify`.
//
// Environment:
//   PORT           port on 127.0.0.1 (0 or unset: any free port)
//   SESSION_KEYS   comma-separated base64 keys, newest first (the plugin's `key` array);
//                  SESSION_KEY is read too
//   SESSION_SECRET secret to derive the key from, when no keys are given
//   SESSION_SALT   salt for SESSION_SECRET (the plugin reads it as ASCII); default: the plugin's
//   COOKIE_NAME    cookie name (default `session`)
// Prints `listening on <port>` once it accepts connections.
const fastify = require('fastify')({ logger: false })

const options = { cookieName: process.env.COOKIE_NAME || 'session', cookie: { path: '/' } }
const keys = process.env.SESSION_KEYS || process.env.SESSION_KEY
if (keys) {
  options.key = keys.split(',').map((k) => k.trim()).filter(Boolean)
} else if (process.env.SESSION_SECRET) {
  options.secret = process.env.SESSION_SECRET
  if (process.env.SESSION_SALT) options.salt = process.env.SESSION_SALT
} else {
  console.error('set SESSION_KEYS or SESSION_SECRET')
  process.exit(2)
}
fastify.register(require('@fastify/secure-session'), options)

fastify.get('/', async (request) => {
  const count = (request.session.get('count') || 0) + 1
  request.session.set('count', count)
  return { hello: `route requested ${count} times in this session` }
})

fastify.listen({ host: '127.0.0.1', port: Number(process.env.PORT || 0) }, (err) => {
  if (err) {
    console.error(err)
    process.exit(1)
  }
  console.log(`listening on ${fastify.server.address().port}`)
})

for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => fastify.close().then(() => process.exit(0)))
}
