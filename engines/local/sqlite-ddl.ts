import { closingParen, isWord, splitTopLevel, tokenize } from '../sql-text';

/**
 * What SQLite's pragmas do not report about a column but its CREATE TABLE statement (kept
 * verbatim in sqlite_master) says: its collation and, for a generated column, its expression
 * and whether it is stored. https://sqlite.org/lang_createtable.html
 */
export interface ColumnClause {
  name: string;
  collation?: string;
  generated?: { expression: string; stored: boolean };
}

const TABLE_CONSTRAINT = new Set(['CONSTRAINT', 'PRIMARY', 'UNIQUE', 'CHECK', 'FOREIGN']);

/** The column clauses of a CREATE TABLE statement, by lower-case column name. */
export function columnClauses(createTableSql: string): Map<string, ColumnClause> {
  const clauses = new Map<string, ColumnClause>();
  const tokens = tokenize(createTableSql);
  const open = tokens.findIndex((t) => t.kind === 'punct' && t.text === '(');
  const close = open < 0 ? -1 : closingParen(tokens, open);
  if (close < 0) return clauses;
  for (const [from, to] of splitTopLevel(tokens, open + 1, close)) {
    const first = tokens[from];
    if (!first || (first.kind === 'word' && TABLE_CONSTRAINT.has(first.text.toUpperCase()))) continue;
    const clause: ColumnClause = { name: first.name ?? first.text };
    let depth = 0;
    for (let i = from + 1; i < to; i++) {
      const t = tokens[i];
      if (t.kind === 'punct' && t.text === '(') depth++;
      if (t.kind === 'punct' && t.text === ')') depth--;
      if (depth !== 0) continue;
      if (isWord(t, 'COLLATE') && tokens[i + 1]) clause.collation = tokens[i + 1].name ?? tokens[i + 1].text;
      // "GENERATED ALWAYS AS (expr)" or the short "AS (expr)", then optionally STORED or VIRTUAL.
      if (isWord(t, 'AS') && tokens[i + 1]?.text === '(') {
        const end = closingParen(tokens, i + 1);
        if (end < 0 || end >= to) continue;
        const after = tokens[end + 1];
        clause.generated = { expression: createTableSql.slice(tokens[i + 1].end, tokens[end].start).trim(), stored: isWord(after, 'STORED') };
        i = end;
      }
    }
    clauses.set(clause.name.toLowerCase(), clause);
  }
  return clauses;
}
