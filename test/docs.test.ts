import * as fs from 'node:fs';
import * as path from 'node:path';
import { expect } from 'chai';
import { Command } from 'commander';
import { buildProgram, COMMAND_NAMES } from '../cli/cli';
import { CliContext } from '../cli/context';
import { packageRoot } from '../config/package-root';

/**
 * The README and docs/ promise commands and options; `dbmove --help` is what exists. Every
 * `dbmove …` example in them (inline code and code blocks) must name a command that exists and
 * only options that command has, and every command must appear in the README's table, so
 * that documentation cannot drift from behaviour unnoticed.
 */
const DOCS = [
  'README.md',
  ...fs
    .readdirSync(path.join(packageRoot(), 'docs'))
    .filter((f) => f.endsWith('.md'))
    .map((f) => `docs/${f}`),
];

/** Every `dbmove …` command line written in a document: inline code spans and lines of code blocks. */
export function documentedExamples(markdown: string): string[] {
  const examples: string[] = [];
  let inBlock = false;
  for (const line of markdown.split('\n')) {
    if (/^\s*```/.test(line)) {
      inBlock = !inBlock;
      continue;
    }
    if (inBlock) {
      if (/[─│┌┐└┘►▼]/.test(line)) continue; // a diagram, not a command
      const m = /^(?:\$ )?(?:npx )?(dbmove [a-z-]+(?: .*)?)$/.exec(line.replace(/\s+#.*$/, '').trim());
      if (m && !/^dbmove (worker|server) polling/.test(m[1])) examples.push(m[1]);
      continue;
    }
    for (const span of line.matchAll(/`(?:npx )?(dbmove [^`]+)`/g)) examples.push(span[1]);
  }
  return examples;
}

function tokens(example: string): string[] {
  return (example.match(/"[^"]*"|'[^']*'|\S+/g) ?? []).map((t) => t.replace(/^\[|\]$|,$/g, ''));
}

function optionsOf(command: Command): string[] {
  return [...command.options.flatMap((o) => [o.long, o.short].filter(Boolean) as string[]), '--help', '-h'];
}

describe('README, docs/ and --help agree', () => {
  const program = buildProgram(new CliContext({ DBMOVE_HOME: packageRoot() }));
  const command = (name: string) => program.commands.find((c) => c.name() === name);

  for (const file of DOCS) {
    it(`${file}: every dbmove example names a command and options that exist`, () => {
      const examples = documentedExamples(fs.readFileSync(path.join(packageRoot(), file), 'utf8'));
      const problems: string[] = [];
      for (const example of examples) {
        const [, first, ...rest] = tokens(example);
        if (!first || !/^[a-z]/.test(first)) continue; // prose such as "dbmove …"
        const names = first.split(/\\?\|/).filter((n) => /^[a-z]/.test(n)); // "refresh|status|sign-off|…" names several
        for (const n of names.slice(1)) if (!command(n)) problems.push(`${example}: no command "${n}"`);
        const name = names[0];
        const found = command(name);
        if (!found) {
          problems.push(`${example}: no command "${name}"`);
          continue;
        }
        let target = found;
        const sub = rest[0];
        if (found.commands.length && sub && !sub.startsWith('-')) {
          const names = sub.split(/\\?\|/);
          for (const n of names) if (!found.commands.some((c) => c.name() === n)) problems.push(`${example}: no subcommand "${name} ${n}"`);
          target = found.commands.find((c) => c.name() === names[0]) ?? found;
        }
        for (const option of rest.filter((t) => /^--?[a-z]/.test(t)).map((t) => t.split('=')[0])) {
          if (!optionsOf(target).includes(option)) problems.push(`${example}: "${target.name()}" has no option ${option}`);
        }
      }
      expect(problems, problems.join('\n')).to.deep.equal([]);
    });
  }

  it("every command is in the README's command table, and every option of the operation commands is in it or in docs/", () => {
    const readme = fs.readFileSync(path.join(packageRoot(), 'README.md'), 'utf8');
    const all = DOCS.map((f) => fs.readFileSync(path.join(packageRoot(), f), 'utf8')).join('\n');
    for (const name of COMMAND_NAMES) expect(readme, `README mentions dbmove ${name}`).to.match(new RegExp(`dbmove (\\S*\\|)?${name}[\\s\`|]`));
    for (const name of ['refresh', 'export', 'import', 'restore', 'status', 'logs', 'history', 'demo', 'start']) {
      for (const option of command(name)!
        .options.filter((o) => !o.hidden)
        .map((o) => o.long!)) {
        expect(all, `the docs mention ${name} ${option}`).to.match(new RegExp(`dbmove ${name}[^\\n]*${option}\\b`));
      }
    }
  });

  it('finds the examples it checks (the parser is not blind)', () => {
    const examples = documentedExamples('run `dbmove status uat --watch`\n```\ndbmove history uat --json   # a comment\n```\n');
    expect(examples).to.deep.equal(['dbmove status uat --watch', 'dbmove history uat --json']);
    expect(DOCS.flatMap((f) => documentedExamples(fs.readFileSync(path.join(packageRoot(), f), 'utf8'))).length).to.be.greaterThan(20);
  });
});
