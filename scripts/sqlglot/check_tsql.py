"""Parses every statement of dbmove's golden T-SQL files with sqlglot's T-SQL dialect.

Usage: python check_tsql.py [--strict] FILE.sql [FILE.sql ...]   (prints one JSON report on stdout)

--strict applies no gap: every statement must parse whole (the test uses it to show that the
checker fails what sqlglot cannot parse, or misreads).

Each golden file holds the statements dbmove renders, separated by blank lines, each after an
optional "-- params: [...]" line and ending in ";". A rendered statement may be a batch of
several T-SQL statements; the batch is split on its top-level semicolons with sqlglot's own
tokenizer, and every statement is parsed on its own, in RAISE mode.

A statement is "parsed" when sqlglot builds a syntax tree for it that holds no opaque Command
node and that names no identifier the statement does not contain (a misreading: sqlglot 30
reads DELETE TOP (4000) FROM t as a table named TOP with an alias). Where sqlglot's grammar
falls short, the statement matches one of the GAPS below, each with its reason: either it is
left unparsed, or the construct is removed and the rest parsed ("partly parsed"). Anything
else is an error, and the test that runs this checker fails on it.
"""
import json
import logging
import re
import sys

import sqlglot
from sqlglot import exp
from sqlglot.dialects.tsql import TSQL
from sqlglot.tokens import TokenType

# id, statement pattern, what is done, why. docs/engines.md lists every id.
GAPS = [
    {
        "id": "backup",
        "match": re.compile(r"^BACKUP (DATABASE|LOG) ", re.I),
        "action": "unparsed",
        "reason": "sqlglot's T-SQL grammar has no BACKUP statement",
    },
    {
        "id": "restore",
        "match": re.compile(r"^RESTORE (DATABASE|LOG|FILELISTONLY|HEADERONLY) ", re.I),
        "action": "unparsed",
        "reason": "sqlglot's T-SQL grammar has no RESTORE statement",
    },
    {
        "id": "alter-database",
        "match": re.compile(r"^ALTER DATABASE ", re.I),
        "action": "unparsed",
        "reason": "sqlglot reads ALTER DATABASE (SET options, MODIFY NAME) only as an opaque command",
    },
    {
        "id": "delete-top",
        "match": re.compile(r"^DELETE TOP \(\d+\) FROM ", re.I),
        "action": "rewrite",
        "rewrite": (re.compile(r"^DELETE TOP \(\d+\) ", re.I), "DELETE "),
        "reason": "sqlglot reads DELETE TOP (n) FROM t as a table named TOP with an alias; the rest of the statement is parsed without the TOP clause",
    },
]

DIALECT = TSQL()
# sqlglot logs each fallback to an opaque command; the report says it instead.
logging.getLogger("sqlglot").setLevel(logging.ERROR)


def statements_of(text):
    """The rendered statements of a golden file, each the SQL of one block."""
    out = []
    for block in re.split(r"\n\s*\n", text):
        lines = [l for l in block.split("\n") if l.strip() and not l.startswith("--")]
        if not lines:
            continue
        sql = "\n".join(lines).strip()
        while sql.endswith(";"):
            sql = sql[:-1].rstrip()
        out.append(sql)
    return out


def split_batch(sql):
    """Top-level statements of a batch: split on the semicolons sqlglot's tokenizer finds outside BEGIN ... END."""
    tokens = DIALECT.tokenize(sql)
    parts, start, depth = [], 0, 0
    for token in tokens:
        word = token.text.upper()
        if word == "BEGIN":
            depth += 1
        elif word == "END" and depth:
            depth -= 1
        elif token.token_type == TokenType.SEMICOLON and depth == 0:
            parts.append(sql[start : token.start].strip())
            start = token.end + 1
    parts.append(sql[start:].strip())
    return [p for p in parts if p]


def misreadings(tree, sql):
    """Identifiers in the tree that the statement does not contain: generated aliases, numbers read as names."""
    words = {t.text.lower() for t in DIALECT.tokenize(sql)}
    bad = []
    for ident in tree.find_all(exp.Identifier):
        name = str(ident.this)
        if name.isdigit() or name.lower() not in words:
            bad.append(name)
    return bad


def opaque(tree):
    return [c for c in tree.find_all(exp.Command)]


def check_statement(sql, gaps=GAPS):
    gap = next((g for g in gaps if g["match"].search(sql)), None)
    text = sql
    if gap and gap["action"] == "unparsed":
        return {"status": "unparsed", "gap": gap["id"], "reason": gap["reason"]}
    if gap and gap["action"] == "rewrite":
        pattern, instead = gap["rewrite"]
        text = pattern.sub(instead, sql)
    try:
        trees = [t for t in sqlglot.parse(text, read="tsql", error_level=sqlglot.ErrorLevel.RAISE) if t is not None]
    except Exception as err:  # sqlglot raises ParseError and TokenError
        return {"status": "error", "detail": str(err).split("\n")[0]}
    for tree in trees:
        commands = opaque(tree)
        if commands:
            # An opaque command is the gap of the statement it holds (IF ... ALTER DATABASE ...):
            # the whole statement when sqlglot fell back for all of it, else the part inside.
            held = [re.sub(r"^IF .*? (?=ALTER DATABASE )", "", c.sql(dialect="tsql"), flags=re.I | re.S) for c in commands]
            held = [re.sub(r"^.*?\bBEGIN\s+", "", h, flags=re.I | re.S) for h in held]
            inner_gap = next((g for g in gaps if g["action"] == "unparsed" and all(g["match"].search(h) for h in held)), None)
            if inner_gap:
                return {"status": "unparsed" if isinstance(tree, exp.Command) else "partly parsed", "gap": inner_gap["id"], "reason": inner_gap["reason"]}
            return {"status": "error", "detail": f"parsed only as an opaque command: {held[0][:120]}"}
        bad = misreadings(tree, text)
        if bad:
            return {"status": "error", "detail": f"misread: the tree names {bad}, which the statement does not contain"}
    if gap:
        return {"status": "partly parsed", "gap": gap["id"], "reason": gap["reason"]}
    return {"status": "parsed", "kinds": [type(t).__name__ for t in trees]}


def main(args):
    strict = "--strict" in args
    paths = [a for a in args if a != "--strict"]
    gaps = [] if strict else GAPS
    report = {"sqlglot": sqlglot.__version__, "gaps": [{k: g[k] for k in ("id", "action", "reason")} for g in GAPS], "statements": []}
    for path in paths:
        with open(path, encoding="utf-8") as f:
            text = f.read()
        for i, rendered in enumerate(statements_of(text)):
            for j, sql in enumerate(split_batch(rendered)):
                result = check_statement(sql, gaps)
                report["statements"].append({"file": path, "statement": i + 1, "part": j + 1, "sql": sql[:200], **result})
    json.dump(report, sys.stdout, indent=1)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main(sys.argv[1:])
