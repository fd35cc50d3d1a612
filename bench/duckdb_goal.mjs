// duckdb_goal.mjs — DuckDB as a peer in bench/run: the figure of
// `utfall goal --by enhet` computed the way an evaluator would with DuckDB,
// read_csv + GROUP BY, through its Node binding (@duckdb/node-api, which
// bench/run installs into bench/node_modules; not part of the product, the
// tests or CI).
//
//   node bench/duckdb_goal.mjs THREADS FILE   per enhet: "enhet<TAB>n<TAB>reached"
//   node bench/duckdb_goal.mjs --select-1     start Node, load DuckDB, SELECT 1:
//                                             the start-up to subtract
//   node bench/duckdb_goal.mjs --version      DuckDB's version
//
// n = exited participants (rows whose avslutad is not empty: read_csv reads an
// empty field as NULL), reached = exited with avslutsorsak arbete,
// arbete_med_stod or studier — utfall goal's default base and success set
// (lib/goal.c), as the other peers in bench/run compute it.  read_csv detects
// the delimiter, header and column types itself, as an evaluator would let it.
import { DuckDBInstance, version } from '@duckdb/node-api';

const args = process.argv.slice(2);
if (args.length === 1 && args[0] === '--version') {
  console.log(version());
  process.exit(0);
}
const instance = await DuckDBInstance.create(':memory:');
const con = await instance.connect();
if (args.length === 1 && args[0] === '--select-1') {
  const reader = await con.runAndReadAll('SELECT 1');
  console.log(String(reader.getRows()[0][0]));
} else if (args.length === 2 && /^[1-9][0-9]*$/.test(args[0])) {
  const [threads, file] = args;
  await con.run(`SET threads = ${threads}`);
  const path = "'" + file.replaceAll("'", "''") + "'";
  const reader = await con.runAndReadAll(`
    SELECT enhet,
           count(*) AS n,
           count(*) FILTER (WHERE avslutsorsak IN ('arbete', 'arbete_med_stod', 'studier')) AS reached
    FROM read_csv(${path}, header = true)
    WHERE avslutad IS NOT NULL
    GROUP BY enhet`);
  const out = reader.getRows().map(([enhet, n, reached]) => `${enhet}\t${n}\t${reached}`);
  process.stdout.write(out.join('\n') + (out.length ? '\n' : ''));
} else {
  console.error('usage: node bench/duckdb_goal.mjs THREADS FILE | --select-1');
  process.exit(2);
}
con.closeSync();
instance.closeSync();
