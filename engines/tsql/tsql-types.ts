/**
 * SQL Server column types as dbmove reads them (sys.columns, or a schema definition file):
 * parsing, a strict shape check before a type is written into DDL, and the widening rules
 * SYNC uses to decide whether copied data reads correctly under the target's type.
 */
export interface SqlType {
  /** Lowercase base name: nvarchar, int, numeric, datetime2... */
  name: string;
  /** Length for character and binary types ('max' for the MAX forms), precision for numeric. */
  length?: number | 'max';
  scale?: number;
}

const TYPE_SHAPE = /^\s*([A-Za-z][A-Za-z0-9_]{0,63})\s*(?:\(\s*(max|MAX|\d{1,10})\s*(?:,\s*(\d{1,3})\s*)?\))?\s*$/;

export function parseSqlType(spelled: string): SqlType | undefined {
  const match = TYPE_SHAPE.exec(spelled);
  if (!match) return undefined;
  const [, name, length, scale] = match;
  return {
    name: name.toLowerCase(),
    length: length === undefined ? undefined : length.toLowerCase() === 'max' ? 'max' : Number(length),
    scale: scale === undefined ? undefined : Number(scale),
  };
}

/**
 * A type as it may appear in DDL: a name and at most two numbers, nothing else. Types come
 * from the target's own schema, but DDL is text, so anything else is refused rather than spliced.
 */
export function ddlType(spelled: string, column: string): string {
  const type = parseSqlType(spelled);
  if (!type)
    throw new Error(
      `Column ${column} has a type dbmove cannot write into T-SQL DDL (${JSON.stringify(spelled)}); use a plain SQL Server type such as nvarchar(60) or numeric(32,6)`,
    );
  return formatSqlType(type);
}

export function formatSqlType(type: SqlType): string {
  if (type.length === undefined) return type.name;
  return type.scale === undefined ? `${type.name}(${type.length})` : `${type.name}(${type.length}, ${type.scale})`;
}

/** Spells a sys.columns row the way DDL writes it (max_length is in bytes, so nvarchar halves it). */
export function typeFromCatalog(name: string, maxLength: number, precision: number, scale: number): string {
  const n = name.toLowerCase();
  if (['varchar', 'char', 'varbinary', 'binary'].includes(n)) return `${n}(${maxLength === -1 ? 'max' : maxLength})`;
  if (['nvarchar', 'nchar'].includes(n)) return `${n}(${maxLength === -1 ? 'max' : maxLength / 2})`;
  if (['decimal', 'numeric'].includes(n)) return `${n}(${precision}, ${scale})`;
  if (['datetime2', 'time', 'datetimeoffset'].includes(n)) return `${n}(${scale})`;
  return n;
}

const INTEGER_DIGITS: Record<string, number> = { bit: 1, tinyint: 3, smallint: 5, int: 10, bigint: 19 };
const INTEGER_RANK: Record<string, number> = { bit: 0, tinyint: 1, smallint: 2, int: 3, bigint: 4 };
/** Mantissa bits of the float types, for integers that must stay exact. */
const FLOAT_BITS: Record<string, number> = { real: 24, float: 53 };
const INTEGER_BITS: Record<string, number> = { bit: 1, tinyint: 8, smallint: 16, int: 32, bigint: 64 };
const STRINGS = new Set(['char', 'varchar', 'nchar', 'nvarchar', 'text', 'ntext']);
const UNICODE = new Set(['nchar', 'nvarchar', 'ntext']);
const BINARIES = new Set(['binary', 'varbinary', 'image']);
const DATETIME_RANK: Record<string, number> = { date: 0, smalldatetime: 1, datetime: 2, datetime2: 3 };

function decimal(type: SqlType): { precision: number; scale: number } | undefined {
  if (type.name === 'decimal' || type.name === 'numeric') return { precision: Number(type.length ?? 18), scale: type.scale ?? 0 };
  if (type.name === 'money') return { precision: 19, scale: 4 };
  if (type.name === 'smallmoney') return { precision: 10, scale: 4 };
  return undefined;
}

function capacity(type: SqlType): number {
  if (type.name === 'text' || type.name === 'ntext' || type.name === 'image' || type.length === 'max') return Infinity;
  return Number(type.length ?? 1);
}

/**
 * True when every value stored under `from` keeps its meaning under `to`: integers widen,
 * decimals keep their integer digits and scale, text and binary keep their length (and text
 * may become Unicode, never the reverse), date-times gain precision. Anything else (a
 * narrowing, a change of family) is an incompatibility SYNC reports with table and column.
 */
export function compatibleSqlTypes(fromSpelled: string, toSpelled: string): boolean {
  const from = parseSqlType(fromSpelled);
  const to = parseSqlType(toSpelled);
  if (!from || !to) return fromSpelled.trim().toLowerCase() === toSpelled.trim().toLowerCase();
  if (formatSqlType(from) === formatSqlType(to)) return true;

  if (from.name in INTEGER_RANK) {
    if (to.name in INTEGER_RANK) return INTEGER_RANK[from.name] <= INTEGER_RANK[to.name];
    const d = decimal(to);
    if (d) return d.precision - d.scale >= INTEGER_DIGITS[from.name];
    if (to.name in FLOAT_BITS) return INTEGER_BITS[from.name] <= FLOAT_BITS[to.name];
    return false;
  }
  const fd = decimal(from);
  const td = decimal(to);
  if (fd && td) return td.scale >= fd.scale && td.precision - td.scale >= fd.precision - fd.scale;
  if (from.name in FLOAT_BITS && to.name in FLOAT_BITS) return FLOAT_BITS[from.name] <= FLOAT_BITS[to.name];

  if (STRINGS.has(from.name) && STRINGS.has(to.name)) {
    if (UNICODE.has(from.name) && !UNICODE.has(to.name)) return false;
    // Fixed-length text read as variable keeps its value; variable read as fixed gains padding.
    if ((to.name === 'char' || to.name === 'nchar') && from.name !== to.name && !(from.name === 'char' && to.name === 'nchar')) return false;
    return capacity(to) >= capacity(from);
  }
  if (BINARIES.has(from.name) && BINARIES.has(to.name)) {
    if (to.name === 'binary' && from.name !== 'binary') return false;
    return capacity(to) >= capacity(from);
  }
  if (from.name in DATETIME_RANK && to.name in DATETIME_RANK) {
    if (DATETIME_RANK[from.name] > DATETIME_RANK[to.name]) return false;
    // datetime keeps 3.33 ms; datetime2 needs at least 3 fractional digits to hold it.
    if (to.name === 'datetime2' && (from.name === 'datetime' || from.name === 'datetime2'))
      return Number(to.length ?? 7) >= Number(from.name === 'datetime' ? 3 : (from.length ?? 7));
    return true;
  }
  if (from.name === 'time' && to.name === 'time') return Number(to.length ?? 7) >= Number(from.length ?? 7);
  if (from.name === 'datetimeoffset' && to.name === 'datetimeoffset') return Number(to.length ?? 7) >= Number(from.length ?? 7);
  return false;
}

/**
 * Column defaults written into DDL: literals, and the handful of functions F&O schemas use.
 * sys.default_constraints reports them wrapped in parentheses, e.g. ((0)) or ('None').
 */
const SAFE_DEFAULT = /^(NULL|-?\d+(\.\d+)?|N?'(?:[^']|'')*'|getdate\(\)|getutcdate\(\)|sysdatetime\(\)|sysutcdatetime\(\)|newid\(\)|CURRENT_TIMESTAMP)$/i;

export function defaultLiteral(value: string, column: string): string {
  let literal = value.trim();
  while (/^\(.*\)$/.test(literal) && balanced(literal.slice(1, -1))) literal = literal.slice(1, -1).trim();
  if (!SAFE_DEFAULT.test(literal)) {
    throw new Error(`Column ${column} has a default that is not a plain literal (${value}); dbmove only copies literal defaults`);
  }
  return literal;
}

function balanced(text: string): boolean {
  let depth = 0;
  let quoted = false;
  for (const ch of text) {
    if (ch === "'") quoted = !quoted;
    if (quoted) continue;
    if (ch === '(') depth++;
    if (ch === ')' && --depth < 0) return false;
  }
  return depth === 0 && !quoted;
}
