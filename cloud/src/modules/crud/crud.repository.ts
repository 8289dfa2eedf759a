import type { SqlSession } from '../../db/client.ts';
import { sqlFilter } from '../../http/pagination.ts';

export interface TableSpec {
  table: string;
  /** The select list every query returns. */
  columns: string;
  /** List filters: query key → column compared for equality. */
  filters: Record<string, string>;
}

export interface ListQuery {
  limit: number;
  after?: readonly unknown[];
  [filter: string]: unknown;
}

/** Column values to write; undefined values are left out. Names come from code, never from input. */
export type ColumnValues = Record<string, unknown>;

/**
 * The queries of one table keyed by a uuid `id`: cursor-paged lists with equality filters, and
 * single-row reads and writes. RLS decides which rows exist for the caller.
 */
export function tableRepository<Row>({ table, columns, filters }: TableSpec) {
  const defined = (values: ColumnValues) => Object.entries(values).filter(([, value]) => value !== undefined);
  return {
    list(tx: SqlSession, query: ListQuery): Promise<Row[]> {
      const filter = sqlFilter();
      for (const [key, column] of Object.entries(filters)) filter.add(`${column} = $?`, query[key]);
      filter.after('id', query.after);
      return tx.query<Row>(
        `select ${columns} from ${table} ${filter.where()} order by id limit ${filter.bind(query.limit + 1)}`,
        filter.params,
      );
    },
    async find(tx: SqlSession, id: string): Promise<Row | undefined> {
      const [row] = await tx.query<Row>(`select ${columns} from ${table} where id = $1`, [id]);
      return row;
    },
    async insert(tx: SqlSession, values: ColumnValues): Promise<Row> {
      const entries = defined(values);
      const [row] = await tx.query<Row>(
        `insert into ${table} (${entries.map(([column]) => column).join(', ')})
         values (${entries.map((_, index) => `$${index + 1}`).join(', ')}) returning ${columns}`,
        entries.map(([, value]) => value),
      );
      return row!;
    },
    /** `computed` holds extra SQL assignments, such as `revision = revision + 1`. */
    async update(
      tx: SqlSession,
      id: string,
      values: ColumnValues,
      computed: string[] = [],
    ): Promise<Row | undefined> {
      const entries = defined(values);
      const assignments = [
        ...entries.map(([column], index) => `${column} = $${index + 2}`),
        ...computed,
        'updated_at = now()',
      ];
      const [row] = await tx.query<Row>(
        `update ${table} set ${assignments.join(', ')} where id = $1 returning ${columns}`,
        [id, ...entries.map(([, value]) => value)],
      );
      return row;
    },
    async remove(tx: SqlSession, id: string): Promise<boolean> {
      return (await tx.query(`delete from ${table} where id = $1 returning id`, [id])).length === 1;
    },
  };
}

export type TableRepository<Row> = ReturnType<typeof tableRepository<Row>>;
