import * as fs from 'node:fs';
import * as path from 'node:path';

/**
 * What is wrong with a path given where dbmove must read a file, or write a new one, in words
 * a person can act on, without touching anything: a folder, a named pipe (opening one to read
 * would wait forever for a writer), a device, a symbolic link loop or one that points nowhere,
 * a file that cannot be read, an empty file. `undefined` when the path is usable.
 */
export function unreadableFileProblem(file: string): string | undefined {
  const reason = unreadableFileReason(file);
  return reason && `${file} ${reason}`;
}

/** The same, as a phrase that follows the path: "is a folder, not a file". */
export function unreadableFileReason(file: string): string | undefined {
  let stat: fs.Stats;
  try {
    stat = fs.statSync(file);
  } catch (err) {
    return statReason(file, err as NodeJS.ErrnoException);
  }
  const kind = notRegular(stat);
  if (kind) return `is ${kind}, not a file`;
  try {
    fs.accessSync(file, fs.constants.R_OK);
  } catch {
    return 'cannot be read (permission denied)';
  }
  if (stat.size === 0) return 'is empty';
  return undefined;
}

/** What is wrong with a path where dbmove must create a new file (it never overwrites one). */
export function unwritableNewFileProblem(file: string, options: { mayExist?: boolean } = {}): string | undefined {
  let existing: fs.Stats | undefined;
  try {
    existing = fs.lstatSync(file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') return statProblem(file, err as NodeJS.ErrnoException);
  }
  if (existing?.isSymbolicLink()) return `${file} is a symbolic link; give the path of the file itself`;
  if (existing && !existing.isFile()) return `${file} is ${notRegular(existing) ?? 'not a file'}`;
  if (existing && !options.mayExist) return `${file} already exists`;
  const folder = path.dirname(path.resolve(file));
  let parent: fs.Stats;
  try {
    parent = fs.statSync(folder);
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'ENOENT' ? `the folder ${folder} does not exist` : statProblem(folder, err as NodeJS.ErrnoException);
  }
  if (!parent.isDirectory()) return `${folder} is not a folder`;
  try {
    fs.accessSync(folder, fs.constants.W_OK);
  } catch {
    return `the folder ${folder} cannot be written (permission denied)`;
  }
  if (existing) {
    try {
      fs.accessSync(file, fs.constants.W_OK);
    } catch {
      return `${file} cannot be written (permission denied)`;
    }
  }
  return undefined;
}

function notRegular(stat: fs.Stats): string | undefined {
  if (stat.isFile()) return undefined;
  if (stat.isDirectory()) return 'a folder';
  if (stat.isFIFO()) return 'a named pipe (FIFO)';
  if (stat.isSocket()) return 'a socket';
  if (stat.isCharacterDevice() || stat.isBlockDevice()) return 'a device';
  return 'not a regular file';
}

function statProblem(file: string, err: NodeJS.ErrnoException): string {
  return `${file} ${statReason(file, err)}`;
}

function statReason(file: string, err: NodeJS.ErrnoException): string {
  switch (err.code) {
    case 'ENOENT':
      return isDanglingLink(file) ? 'is a symbolic link to something that does not exist' : 'does not exist';
    case 'ELOOP':
      return 'is a symbolic link loop';
    case 'ENOTDIR':
      return 'has a file where its path needs a folder';
    case 'EACCES':
    case 'EPERM':
      return 'cannot be reached (permission denied on a folder of its path)';
    case 'ENAMETOOLONG':
      return `is too long a path (${file.length} characters)`;
    default:
      return `cannot be read (${err.code ?? err.message})`;
  }
}

function isDanglingLink(file: string): boolean {
  try {
    return fs.lstatSync(file).isSymbolicLink();
  } catch {
    return false;
  }
}
