'use strict'
// Shared by the scripts: read a JSON request from stdin, and build a fastify app with the real
// @fastify/secure-session configured from it.
//
// Request fields (all optional unless said):
//   key        base64 string, or an array of base64 strings (rotation: the first seals)
//   secret     string (UTF-8), used when no key is given
//   salt       string, passed to the plugin as is (it reads it as ASCII)
//   saltBase64 base64 salt, passed to the plugin as a Buffer
//   expiry     seconds, as the plugin's `expiry` option
//   cookieName the plugin's `cookieName` option (default `session`)
//   now        unix seconds (may be fractional): Date.now() is pinned to it, so that `__ts` and
//              the expiry check are deterministic

const fastifyFactory = require('fastify')

function readRequest () {
  const text = require('node:fs').readFileSync(0, 'utf8')
  return JSON.parse(text)
}

function pinClock (request) {
  if (typeof request.now === 'number') {
    const ms = request.now * 1000
    Date.now = () => ms
  }
}

function pluginOptions (request) {
  const options = {}
  if (request.key !== undefined) options.key = request.key
  if (request.secret !== undefined) options.secret = request.secret
  if (request.salt !== undefined) options.salt = request.salt
  if (request.saltBase64 !== undefined) options.salt = Buffer.from(request.saltBase64, 'base64')
  if (request.expiry !== undefined) options.expiry = request.expiry
  if (request.cookieName !== undefined) options.cookieName = request.cookieName
  options.cookie = { path: '/' }
  return options
}

async function buildApp (request, routes) {
  const app = fastifyFactory({ logger: false })
  await app.register(require('@fastify/secure-session'), pluginOptions(request))
  if (routes) routes(app)
  await app.ready()
  return app
}

function reply (object) {
  process.stdout.write(JSON.stringify(object) + '\n')
}

module.exports = { readRequest, pinClock, pluginOptions, buildApp, reply }
