import { CODEC_KEY } from '../../codec/codec-keys';
import { UsageError } from '../../common/errors';
import { integer, Register } from './shared';

export const registerCodecServer: Register = (program, ctx) => {
  program
    .command('codec-server')
    .description(
      `Serve the payload codec over HTTP (POST /encode, /decode) so the Temporal Web UI can show decrypted payloads. Uses the keys in ${CODEC_KEY}, DBMOVE_CODEC_KEY_ID and DBMOVE_CODEC_OLD_KEYS. In the Web UI, set the codec endpoint to http://localhost:<port>.`,
    )
    .requiredOption('--port <port>', 'port to listen on', integer(1, 65535))
    .option('--host <host>', 'address to listen on (the server holds the key: keep it on loopback unless it sits behind an authenticating proxy)', '127.0.0.1')
    .option('--ui-origin <origin...>', 'Web UI origins allowed to call it from a browser (default: the Web UI of temporal.config.json)')
    .action(async (opts: { port: number; host: string; uiOrigin?: string[] }) => {
      const { codecFromEnvironment } = await import('../../codec/aes-gcm-codec');
      const { createCodecServer, listen } = await import('../../codec/codec-server');
      const codec = codecFromEnvironment(process.env);
      if (!codec) throw new UsageError(`${CODEC_KEY} is not set: the codec server needs the key it decodes with (see README, Security)`);
      const origins = opts.uiOrigin ?? [ctx.temporal().webUiUrl];
      for (const origin of origins) {
        if (!/^https?:\/\/[A-Za-z0-9.-]+(:\d{1,5})?$/.test(origin))
          throw new UsageError(`--ui-origin "${origin.slice(0, 80)}" must be an origin such as http://localhost:8233 (scheme, host and port only)`);
      }
      const server = createCodecServer({ codec, port: opts.port, allowedOrigins: origins });
      const port = await listen(server, opts.port, opts.host);
      process.stdout.write(
        `dbmove codec server on http://${opts.host}:${port} (active key id ${codec.activeKeyId}), for ${origins.join(', ')}. Ctrl-C stops it.\n`,
      );
      await new Promise<void>((resolve) => {
        const stop = () => server.close(() => resolve());
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
      });
    });
};
