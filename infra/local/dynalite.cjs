'use strict';
// Starts dynalite (the local DynamoDB) on 127.0.0.1:
//   node dynalite.cjs PORT [DATA_DIR]
// In memory without DATA_DIR, else kept in LevelDB there. Tables are ACTIVE at once. The server
// stops when its standard input closes, so it never outlives the process that started it.
const dynalite = require('dynalite');

const port = Number(process.argv[2]);
const path = process.argv[3];
if (!Number.isInteger(port) || port <= 0) {
  console.error('usage: node dynalite.cjs PORT [DATA_DIR]');
  process.exit(2);
}
const options = { createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 };
if (path) options.path = path;
const server = dynalite(options);
server.listen(port, '127.0.0.1', () => {
  console.log(`dynalite listening on 127.0.0.1:${port}`);
});
server.on('error', (e) => {
  console.error(`dynalite failed: ${e.message}`);
  process.exit(1);
});
const stop = () => server.close(() => process.exit(0));
process.stdin.on('end', stop);
process.stdin.on('close', stop);
process.stdin.resume();
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
