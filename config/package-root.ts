import * as fs from 'node:fs';
import * as path from 'node:path';

let cached: string | undefined;

/** The directory holding dbmove's package.json, whether running from dist/ or from source. */
export function packageRoot(): string {
  if (cached) return cached;
  let dir = __dirname;
  for (;;) {
    const candidate = path.join(dir, 'package.json');
    if (fs.existsSync(candidate) && JSON.parse(fs.readFileSync(candidate, 'utf8')).name === 'dbmove') return (cached = dir);
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error(`Cannot find dbmove's package.json above ${__dirname}`);
    dir = parent;
  }
}
