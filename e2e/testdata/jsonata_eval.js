// jsonata_eval.js evaluates JSONata expressions for moto's Step Functions
// interpreter, which ships without an engine. It reads one JSON request per
// line on stdin, {"id": n, "expr": "..."}, and writes one JSON response per
// line on stdout, {"id": n, "value": ...} or {"id": n, "error": "..."}.
// An undefined result is written as null, as the JVM bridge moto was written
// for does. It exits when stdin closes.
//
// Usage: node jsonata_eval.js DIR   (DIR/node_modules/jsonata is the engine)
'use strict';

const path = require('path');
const readline = require('readline');

const jsonata = require(path.join(process.argv[2], 'node_modules', 'jsonata'));

async function evaluate(expr) {
  const value = await jsonata(expr).evaluate(null);
  return value === undefined ? null : value;
}

const lines = readline.createInterface({ input: process.stdin, crlfDelay: Infinity });
lines.on('line', async (line) => {
  let id = null;
  try {
    const req = JSON.parse(line);
    id = req.id;
    const value = await evaluate(req.expr);
    process.stdout.write(JSON.stringify({ id, value }) + '\n');
  } catch (err) {
    const error = err && err.message ? `${err.code || 'Error'}: ${err.message}` : String(err);
    process.stdout.write(JSON.stringify({ id, error }) + '\n');
  }
});
lines.on('close', () => process.exit(0));
