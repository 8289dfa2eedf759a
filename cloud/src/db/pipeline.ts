import pg from 'pg';

/** A statement and its parameters. */
export interface Statement {
  text: string;
  params?: readonly unknown[];
}

/** The parts of node-postgres's connection that write extended-protocol messages. */
interface WireConnection {
  stream: { cork?: () => void; uncork?: () => void };
  close(message: { type: 'S'; name: string }): void;
  parse(message: { name: string; text: string }): void;
  bind(message: { statement: string; values: (string | null)[] }): void;
  describe(message: { type: 'P'; name: string }): void;
  execute(message: Record<string, never>): void;
  sync(): void;
}

interface FieldDescription {
  name: string;
  dataTypeID: number;
}

/** What node-postgres's Result does at run time beyond its typings: rows parsed by column type. */
interface RowParser {
  addFields(fields: FieldDescription[]): void;
  parseRow(fields: (string | null)[]): unknown;
}

/** Statements known to be prepared on each connection (keyed by its wire connection, which lives as long). */
const preparedOn = new WeakMap<object, Set<string>>();

/**
 * Runs `statements` in one implicit transaction and one round trip: each is a named prepared
 * statement (parsed once per connection, then bound and executed), and a single Sync ends them all,
 * so transaction-local settings made by one hold for the next and end with the last. An error stops
 * the rest. Resolves to the rows of the last statement.
 *
 * node-postgres sends a Sync after every query, which would commit each statement by itself; this
 * writes the messages on its connection instead and reads the replies as its own query would. A
 * statement not known to be prepared is closed before it is parsed (closing one that does not exist
 * is no error), so a failure that leaves it unclear what got prepared costs a parse, nothing more.
 */
export function pipelineInTransaction<Row>(
  client: pg.PoolClient,
  statements: readonly { name: string; text: string; params: readonly unknown[] }[],
): Promise<Row[]> {
  // Before submitting: a value that cannot be sent must fail here, not inside node-postgres's queue.
  const bound = statements.map((statement) => statement.params.map(wireValue));
  return new Promise((resolve, reject) => {
    const parser = new pg.Result('', pg.types) as unknown as RowParser;
    const rows: Row[] = [];
    let completed = 0;
    let failed = false;
    let prepared: Set<string> | undefined;
    const parsing: string[] = [];
    const last = statements.length - 1;
    const query = {
      submit(connection: WireConnection) {
        prepared = preparedOn.get(connection);
        if (!prepared) {
          prepared = new Set();
          preparedOn.set(connection, prepared);
        }
        connection.stream.cork?.();
        try {
          statements.forEach((statement, index) => {
            if (!prepared!.has(statement.name)) {
              connection.close({ type: 'S', name: statement.name });
              connection.parse({ name: statement.name, text: statement.text });
              parsing.push(statement.name);
            }
            connection.bind({ statement: statement.name, values: bound[index]! });
            if (index === last) connection.describe({ type: 'P', name: '' });
            connection.execute({});
          });
          connection.sync();
        } finally {
          connection.stream.uncork?.();
        }
      },
      handleRowDescription(message: { fields: FieldDescription[] }) {
        if (completed === last) parser.addFields(message.fields);
      },
      handleDataRow(message: { fields: (string | null)[] }) {
        if (completed === last) rows.push(parser.parseRow(message.fields) as Row);
      },
      handleCommandComplete() {
        completed += 1;
      },
      handleEmptyQuery() {
        completed += 1;
      },
      handlePortalSuspended() {},
      handleCopyInResponse() {},
      handleCopyData() {},
      handleError(error: Error) {
        if (failed) return;
        failed = true;
        reject(error);
      },
      handleReadyForQuery() {
        if (failed) return;
        for (const name of parsing) prepared!.add(name);
        resolve(rows);
      },
    };
    client.query(query as unknown as pg.Submittable);
  });
}

/** A parameter in the text format PostgreSQL reads it in; null stays SQL NULL. */
function wireValue(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'bigint' || typeof value === 'boolean')
    return String(value);
  if (value instanceof Date) return value.toISOString();
  throw new Error(`no text form for a ${typeof value} parameter`);
}
