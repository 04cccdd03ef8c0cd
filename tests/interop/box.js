'use strict'
// Seal an arbitrary plaintext in the plugin's format with sodium-native's crypto_secretbox_easy,
// the primitive the plugin uses: for cookies the plugin itself would never write (bad JSON, no
// `__ts`, ...), to see how it treats them.
// stdin:  { key: base64, plaintext: string (UTF-8) }
// stdout: { value: BASE64(box) ";" BASE64(nonce), wire: the value percent-encoded }
const sodium = require('sodium-native')
const { readRequest, reply } = require('./common')

const request = readRequest()
const key = Buffer.from(request.key, 'base64')
const message = Buffer.from(request.plaintext, 'utf8')
const nonce = Buffer.alloc(sodium.crypto_secretbox_NONCEBYTES)
sodium.randombytes_buf(nonce)
const boxed = Buffer.alloc(message.length + sodium.crypto_secretbox_MACBYTES)
sodium.crypto_secretbox_easy(boxed, message, nonce, key)
const value = boxed.toString('base64') + ';' + nonce.toString('base64')
// Percent-encoded as @fastify/cookie's default encoder (encodeURIComponent) would send it.
reply({ value, wire: encodeURIComponent(value) })
