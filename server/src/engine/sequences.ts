/**
 * After a load with explicit ids, the next insert must get a fresh id above the restored ones.
 *
 * - PostgreSQL: rows inserted with their ids do not advance a serial's sequence, so it is moved
 *   with `setval`. `setval` is not transactional: it is only ever moved up (to the highest restored
 *   id when that is above the sequence's next value), so a rollback after it leaves a sequence that
 *   still clears every old row.
 * - MySQL/MariaDB (InnoDB): an explicit id above the counter raises AUTO_INCREMENT by itself, and
 *   the counter never goes down (an `ALTER TABLE … AUTO_INCREMENT` would commit the transaction).
 * - SQLite: an explicit rowid raises `sqlite_sequence` (AUTOINCREMENT tables) by itself, inside the
 *   transaction; other tables take max(rowid) + 1.
 * Nothing is lowered anywhere: ids used after the backup are not handed out again.
 */
import type { Knex } from 'knex';
import { ident } from './foreign-keys';
import { selectRows } from './introspect';
import type { Dialect } from './types';

/** Raises the PostgreSQL sequences of the restored tables' columns; returns `table.column` moved. */
export async function raiseSequences(db: Knex | Knex.Transaction, dialect: Dialect, restored: Set<string>): Promise<string[]> {
  if (dialect !== 'postgres') return [];
  const owned = await selectRows(
    db,
    dialect,
    `
    select c.relname as table_name, a.attname as column_name,
           pg_get_serial_sequence(quote_ident(c.relname), a.attname) as seq
      from pg_attribute a
      join pg_class c on c.oid = a.attrelid
      join pg_namespace n on n.oid = c.relnamespace
     where n.nspname = current_schema() and c.relkind in ('r', 'p') and a.attnum > 0 and not a.attisdropped
       and pg_get_serial_sequence(quote_ident(c.relname), a.attname) is not null`,
  );
  const moved: string[] = [];
  for (const r of owned) {
    if (!restored.has(r.table_name)) continue;
    const [{ m }] = await selectRows(db, dialect, `select max(${ident(dialect, r.column_name)})::text as m from ${ident(dialect, r.table_name)}`);
    if (m === null) continue;
    const [{ last, start }] = await selectRows(
      db,
      dialect,
      `select pg_sequence_last_value(s)::text as last, (select seqstart::text from pg_sequence where seqrelid = s) as start
         from (select ?::regclass as s) x`,
      [r.seq],
    );
    // A sequence never called hands out its start value next.
    const next = last === null ? BigInt(start) : BigInt(last) + 1n;
    if (BigInt(m) < next) continue;
    await db.raw('select setval(?::regclass, ?::bigint, true)', [r.seq, m]);
    moved.push(`${r.table_name}.${r.column_name}`);
  }
  return moved;
}
