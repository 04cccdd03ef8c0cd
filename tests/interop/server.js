'use strict'
// A fastify 5 app with @fastify/secure-session serving the counter
// {"hello":"route requested N times in this session"} at GET /.
//
// Environment:
//   PORT           port on 127.0.0.1 (0 or unset: any free port)
//   SESSION_KEY    comma-separated base64 keys, newest first (the plugin's `key` array)
//   SESSION_SECRET secret to derive the key from, when SESSION_KEY is unset
//   SESSION_SALT   salt for SESSION_SECRET (the plugin reads it as ASCII); default: the plugin's
//   COOKIE_NAME    cookie name (default `session`)
// Prints `listening on <port>` once it accepts connections.
const fastify = require('fastify')({ logger: false })

const options = { cookieName: process.env.COOKIE_NAME || 'session', cookie: { path: '/' } }
if (process.env.SESSION_KEY) {
  options.key = process.env.SESSION_KEY.split(',').map((k) => k.trim()).filter(Boolean)
} else if (process.env.SESSION_SECRET) {
  options.secret = process.env.SESSION_SECRET
  if (process.env.SESSION_SALT) options.salt = process.env.SESSION_SALT
} else {
  console.error('set SESSION_KEY or SESSION_SECRET')
  process.exit(2)
}
fastify.register(require('@fastify/secure-session'), options)

fastify.get('/', async (request) => {
  const views = (request.session.get('views') || 0) + 1
  request.session.set('views', views)
  return { hello: `route requested ${views} times in this session` }
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
