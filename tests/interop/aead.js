'use strict'
// libsodium's XChaCha20-Poly1305 (IETF), to check the native format against libsodium.
// stdin:  { key, nonce, aad, message } as hex
// stdout: { ciphertext: hex of ciphertext || tag }
const sodium = require('sodium-native')
const { readRequest, reply } = require('./common')

const request = readRequest()
const message = Buffer.from(request.message, 'hex')
const out = Buffer.alloc(message.length + sodium.crypto_aead_xchacha20poly1305_ietf_ABYTES)
sodium.crypto_aead_xchacha20poly1305_ietf_encrypt(out, message,
  Buffer.from(request.aad, 'hex'), null,
  Buffer.from(request.nonce, 'hex'), Buffer.from(request.key, 'hex'))
reply({ ciphertext: out.toString('hex') })
