'use strict'
// Derive a key from a secret and salt exactly as the plugin does (crypto_pwhash, Argon2id,
// OPSLIMIT_MODERATE / MEMLIMIT_MODERATE, the plugin's default salt when none is given).
// stdin:  { secret, salt? (string, read as ASCII like the plugin), saltBase64? }
// stdout: { key: base64 of the 32-byte key }
const sodium = require('sodium-native')
const { readRequest, reply } = require('./common')

const request = readRequest()
// The plugin's default salt, copied from its index.js.
let salt = Buffer.from('mq9hDxBVDbspDR6nLfFT1g==', 'base64')
if (request.salt !== undefined) salt = Buffer.from(request.salt, 'ascii')
if (request.saltBase64 !== undefined) salt = Buffer.from(request.saltBase64, 'base64')
const key = Buffer.alloc(sodium.crypto_secretbox_KEYBYTES)
sodium.crypto_pwhash(key, Buffer.from(request.secret), salt,
  sodium.crypto_pwhash_OPSLIMIT_MODERATE,
  sodium.crypto_pwhash_MEMLIMIT_MODERATE,
  sodium.crypto_pwhash_ALG_DEFAULT)
reply({ key: key.toString('base64') })
