/**
 * Just enough of SQL's lexical structure to compare and take apart the definitions a database
 * reports about itself (SQLite keeps every CREATE statement verbatim; SQL Server keeps view,
 * trigger, computed-column and filter text in its catalog): string literals, quoted
 * identifiers in each dialect's quotes, comments, words and punctuation. No grammar.
 */
export interface Token {
  kind: 'word' | 'quoted' | 'string' | 'number' | 'punct';
  /** The token as written. */
  text: string;
  /** For identifiers (words and quoted), the name without quotes. */
  name?: string;
  start: number;
  end: number;
}

const CLOSING: Record<string, string> = { '"': '"', '[': ']', '`': '`' };

export function tokenize(sql: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < sql.length) {
    const c = sql[i];
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    if (c === '-' && sql[i + 1] === '-') {
      while (i < sql.length && sql[i] !== '\n') i++;
      continue;
    }
    if (c === '/' && sql[i + 1] === '*') {
      const end = sql.indexOf('*/', i + 2);
      i = end < 0 ? sql.length : end + 2;
      continue;
    }
    const start = i;
    if (c === "'" || ((c === 'N' || c === 'n' || c === 'X' || c === 'x') && sql[i + 1] === "'")) {
      i += c === "'" ? 1 : 2;
      while (i < sql.length) {
        if (sql[i] === "'" && sql[i + 1] === "'") i += 2;
        else if (sql[i] === "'") {
          i++;
          break;
        } else i++;
      }
      tokens.push({ kind: 'string', text: sql.slice(start, i), start, end: i });
      continue;
    }
    if (c in CLOSING) {
      const close = CLOSING[c];
      i++;
      let name = '';
      while (i < sql.length) {
        if (sql[i] === close && sql[i + 1] === close) {
          name += close;
          i += 2;
        } else if (sql[i] === close) {
          i++;
          break;
        } else name += sql[i++];
      }
      tokens.push({ kind: 'quoted', text: sql.slice(start, i), name, start, end: i });
      continue;
    }
    if (/[A-Za-z_\u0080-\uffff]/.test(c)) {
      while (i < sql.length && /[A-Za-z0-9_$\u0080-\uffff]/.test(sql[i])) i++;
      const text = sql.slice(start, i);
      tokens.push({ kind: 'word', text, name: text, start, end: i });
      continue;
    }
    if (/[0-9]/.test(c) || (c === '.' && /[0-9]/.test(sql[i + 1] ?? ''))) {
      while (i < sql.length && /[0-9.eE]/.test(sql[i])) i++;
      tokens.push({ kind: 'number', text: sql.slice(start, i), start, end: i });
      continue;
    }
    // Two-character operators stay together so that "<>" and "< >" differ as they should.
    const two = sql.slice(i, i + 2);
    i += ['<>', '<=', '>=', '!=', '==', '||', '<<', '>>'].includes(two) ? 2 : 1;
    tokens.push({ kind: 'punct', text: sql.slice(start, i), start, end: i });
  }
  return tokens;
}

/**
 * A definition in a canonical form for comparison: comments and layout dropped, identifiers
 * unquoted, everything but string literals in lower case, `IF NOT EXISTS` removed. Two
 * definitions that normalise alike create the same object.
 */
export function normalizeSql(sql: string): string {
  const words = tokenize(sql)
    .filter((t) => !(t.kind === 'punct' && t.text === ';'))
    .map((t) => (t.kind === 'string' ? t.text : (t.name ?? t.text).toLowerCase()));
  return words.join(' ').replace(/ if not exists /g, ' ');
}

/** The token index of the parenthesis that closes the one at `open`, or -1. */
export function closingParen(tokens: readonly Token[], open: number): number {
  let depth = 0;
  for (let i = open; i < tokens.length; i++) {
    if (tokens[i].kind !== 'punct') continue;
    if (tokens[i].text === '(') depth++;
    else if (tokens[i].text === ')' && --depth === 0) return i;
  }
  return -1;
}

/** Splits tokens[from, to) at the commas that are not inside parentheses. */
export function splitTopLevel(tokens: readonly Token[], from: number, to: number): [number, number][] {
  const parts: [number, number][] = [];
  let depth = 0;
  let start = from;
  for (let i = from; i < to; i++) {
    const t = tokens[i];
    if (t.kind !== 'punct') continue;
    if (t.text === '(') depth++;
    else if (t.text === ')') depth--;
    else if (t.text === ',' && depth === 0) {
      parts.push([start, i]);
      start = i + 1;
    }
  }
  if (start < to) parts.push([start, to]);
  return parts;
}

export const isWord = (t: Token | undefined, word: string) => t?.kind === 'word' && t.text.toUpperCase() === word;

/**
 * The only verbatim text SYNC runs is the target's own CREATE INDEX, VIEW or TRIGGER
 * statement, read from its catalog or definition file. It must be one CREATE statement of that
 * kind naming that object (schema-qualified or not); anything else is refused with the reason.
 */
export function assertCreateStatement(sql: string, kind: 'INDEX' | 'VIEW' | 'TRIGGER', name: string): string {
  const tokens = tokenize(sql);
  let i = 0;
  const fail = (why: string): never => {
    throw new Error(`its definition is not a CREATE ${kind} statement for ${name} (${why})`);
  };
  if (!isWord(tokens[i++], 'CREATE')) fail('it does not start with CREATE');
  if (isWord(tokens[i], 'OR') && isWord(tokens[i + 1], 'ALTER')) i += 2;
  if (kind === 'INDEX' && isWord(tokens[i], 'UNIQUE')) i++;
  if (kind === 'INDEX' && (isWord(tokens[i], 'CLUSTERED') || isWord(tokens[i], 'NONCLUSTERED'))) i++;
  if (kind !== 'INDEX' && (isWord(tokens[i], 'TEMP') || isWord(tokens[i], 'TEMPORARY'))) fail('a temporary object is not part of the database');
  if (!isWord(tokens[i++], kind)) fail(`it creates something else`);
  if (isWord(tokens[i], 'IF') && isWord(tokens[i + 1], 'NOT') && isWord(tokens[i + 2], 'EXISTS')) i += 3;
  let named = tokens[i];
  if (tokens[i + 1]?.text === '.') named = tokens[i + 2];
  if (!named || (named.name ?? named.text).toLowerCase() !== name.toLowerCase()) fail(`it names ${named ? (named.name ?? named.text) : 'nothing'}`);
  return sql;
}
