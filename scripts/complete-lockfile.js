#!/usr/bin/env node
// The package mirror this project is developed behind serves only the Linux builds of
// @swc/core (a dependency of @temporalio/worker), so `npm install` leaves the other
// platforms' optional builds out of package-lock.json, and `npm ci` then refuses the lock
// as out of sync. This adds the missing entries, gated by os/cpu as the registry declares
// them, so `npm ci` validates the lock and simply skips them on this platform.
// Run it after any `npm install` that rewrites the lock: `node scripts/complete-lockfile.js`.
const fs = require('node:fs');
const path = require('node:path');

const lockPath = path.join(__dirname, '..', 'package-lock.json');
const lock = JSON.parse(fs.readFileSync(lockPath, 'utf8'));
const platforms = {
  'darwin-arm64': { os: ['darwin'], cpu: ['arm64'] },
  'darwin-x64': { os: ['darwin'], cpu: ['x64'] },
  'linux-arm-gnueabihf': { os: ['linux'], cpu: ['arm'] },
  'linux-ppc64-gnu': { os: ['linux'], cpu: ['ppc64'], libc: ['glibc'] },
  'linux-s390x-gnu': { os: ['linux'], cpu: ['s390x'], libc: ['glibc'] },
  'win32-arm64-msvc': { os: ['win32'], cpu: ['arm64'] },
  'win32-ia32-msvc': { os: ['win32'], cpu: ['ia32'] },
  'win32-x64-msvc': { os: ['win32'], cpu: ['x64'] },
};
const core = lock.packages['node_modules/@swc/core'];
if (!core) process.exit(0);
let added = 0;
for (const [dep, version] of Object.entries(core.optionalDependencies ?? {})) {
  const key = `node_modules/${dep}`;
  if (lock.packages[key]) continue;
  const platform = platforms[dep.replace('@swc/core-', '')];
  if (!platform) throw new Error(`No platform known for ${dep}: add it to scripts/complete-lockfile.js`);
  lock.packages[key] = { version, license: 'Apache-2.0 AND MIT', optional: true, ...platform, engines: { node: '>=10' } };
  added += 1;
}
const sorted = Object.fromEntries(Object.entries(lock.packages).sort(([a], [b]) => (a === '' ? -1 : b === '' ? 1 : a.localeCompare(b))));
lock.packages = sorted;
fs.writeFileSync(lockPath, `${JSON.stringify(lock, null, 2)}\n`);
process.stdout.write(`package-lock.json: ${added} optional platform entr${added === 1 ? 'y' : 'ies'} added\n`);
