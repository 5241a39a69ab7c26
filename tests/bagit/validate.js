// validate.js BAGDIR — validate a BagIt 1.0 bag with the bagit-tools
// library (an independent implementation; its own CLI checks only 0.97).
// Exit 0 valid, 1 invalid, 2 could not run.
'use strict'
const verify = require('bagit-tools').verify
const dir = process.argv[2]
if (!dir) {
  console.error('usage: node validate.js BAGDIR')
  process.exit(2)
}
verify(dir, { version: '1.0', test: true }, (err, ok, results) => {
  if (err) {
    console.error('bagit-tools: ' + err.message)
    process.exit(2)
  }
  for (const r of results) {
    if (r.type === 'assert' && !r.ok) console.log('not ok - ' + r.name)
  }
  console.log(ok ? 'valid BagIt 1.0 bag' : 'INVALID bag')
  process.exit(ok ? 0 : 1)
})
