import pg from 'pg';
const c = new pg.Client('postgres://postgres@127.0.0.1:46257/postgres'); await c.connect();
console.log((await c.query(`select pid, state, now()-query_start d, left(query,120) q from pg_stat_activity where datname='postgres' and pid<>pg_backend_pid()`)).rows);
await c.end();
