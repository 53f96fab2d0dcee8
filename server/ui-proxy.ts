import * as crypto from 'node:crypto';
import * as http from 'node:http';
import { ALL_SEARCH_ATTRIBUTES } from '../workflows/search-attributes';

/**
 * dbmove's phase in the Temporal Web UI's workflow list, without anyone configuring columns.
 *
 * The Web UI (2.42, in the Temporal CLI 1.5.1 dev server) lists Status, Workflow ID, Run ID,
 * Type, Start and End; search attributes become columns only through "Configure Columns",
 * which the UI keeps in the browser's localStorage ("namespace-workflow-table-columns"), and
 * neither the dev server's flags nor the UI server's configuration set a default. So the dev
 * server dbmove starts serves its UI through this small proxy: every request passes through
 * unchanged, except the UI's start page, into which it adds one script that, when a
 * namespace has no column choice yet in this browser, chooses DbmovePhase, DbmoveOperation,
 * DbmoveSource and DbmoveTarget beside Temporal's own columns. A person's own choice, once
 * made, is never overwritten. The page's Content-Security-Policy is kept, with the script's
 * hash added to it.
 */
export const DBMOVE_COLUMNS = ['Status', 'DbmovePhase', 'DbmoveOperation', 'DbmoveSource', 'DbmoveTarget', 'Workflow ID', 'Type', 'Start', 'End'].map(
  (label) => ({ label }),
);

/** The UI's localStorage key for the list's columns, per namespace (Temporal UI 2.42). */
export const COLUMNS_STORAGE_KEY = 'namespace-workflow-table-columns';

export function columnSeedScript(namespaces: string[]): string {
  // Names of the search attributes, checked against the registry: a rename must reach the UI too.
  for (const name of DBMOVE_COLUMNS.map((c) => c.label).filter((l) => l.startsWith('Dbmove')))
    if (!ALL_SEARCH_ATTRIBUTES.some((key) => key.name === name)) throw new Error(`no search attribute ${name}`);
  return (
    `(function(){try{var k=${JSON.stringify(COLUMNS_STORAGE_KEY)},c=${JSON.stringify(DBMOVE_COLUMNS)},n=${JSON.stringify(namespaces)},` +
    `s=JSON.parse(localStorage.getItem(k)||"{}")||{},d=false;for(var i=0;i<n.length;i++){if(!s[n[i]]||!s[n[i]].length){s[n[i]]=c;d=true}}` +
    `if(d)localStorage.setItem(k,JSON.stringify(s))}catch(e){}})();`
  );
}

/** The UI's start page with the seed script in its head and the script's hash in its policy. */
export function withColumnSeed(html: string, namespaces: string[]): string {
  const script = columnSeedScript(namespaces);
  const hash = `'sha256-${crypto.createHash('sha256').update(script).digest('base64')}'`;
  return html
    .replace(/(<meta[^>]*http-equiv="content-security-policy"[^>]*content="[^"]*script-src)/i, `$1 ${hash}`)
    .replace(/<head>/i, `<head>\n    <script>${script}</script>`);
}

export interface UiProxy {
  port: number;
  close(): Promise<void>;
}

/** Serves the UI at `upstream` on `port`, adding the column seed to its start page. */
export async function startUiProxy(options: { port: number; upstreamPort: number; namespaces: string[] }): Promise<UiProxy> {
  const server = http.createServer((req, res) => {
    const upstream = http.request(
      { host: '127.0.0.1', port: options.upstreamPort, method: req.method, path: req.url, headers: { ...req.headers, 'accept-encoding': 'identity' } },
      (answer) => {
        const type = String(answer.headers['content-type'] ?? '');
        const isPage = req.method === 'GET' && type.startsWith('text/html') && !String(req.url).startsWith('/render');
        if (!isPage) {
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(res);
          return;
        }
        const chunks: Buffer[] = [];
        answer.on('data', (c: Buffer) => chunks.push(c));
        answer.on('end', () => {
          const html = Buffer.concat(chunks).toString('utf8');
          const body = Buffer.from(html.includes('__sveltekit') ? withColumnSeed(html, options.namespaces) : html, 'utf8');
          const headers = { ...answer.headers, 'content-length': String(body.length) };
          delete headers['transfer-encoding'];
          res.writeHead(answer.statusCode ?? 200, headers);
          res.end(body);
        });
      },
    );
    upstream.on('error', (err) => {
      if (!res.headersSent) res.writeHead(502, { 'content-type': 'text/plain' });
      res.end(`The Temporal Web UI behind dbmove's proxy did not answer: ${err.message}`);
    });
    req.pipe(upstream);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, 'localhost', () => resolve());
  });
  return {
    port: options.port,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
