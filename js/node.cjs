// Node (CommonJS): the same module as the ESM entry, through require(esm) (Node 20.19 and later).
module.exports = require('./node.mjs');
