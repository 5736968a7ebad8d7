import { readProxyHeader } from '../../balancer/index.js';
import { buildApp } from '../../http/index.js';
import { createLogger } from '../../core/index.js';
import { parseFlags } from '../args.js';
import type { Command } from '../command.js';
import { nodeConfig, storeFlags } from '../store-flags.js';

const usage = `Usage: gatehouse serve [--port 3000] [--host 127.0.0.1] [--data-dir ./.gatehouse] [--node-id NAME] [--config FILE] [--skip-migrations]

Runs one app node. Environment: PORT, DATABASE_URL (postgres://…), REDIS_URL, GATEHOUSE_SECRET,
GATEHOUSE_PUBLIC_URL, GATEHOUSE_TRUST_PROXY (addresses of the proxies whose X-Forwarded-For is
believed; none by default), GATEHOUSE_PROXY_PROTOCOL=1 (behind an L4 balancer sending PROXY v1/v2),
GATEHOUSE_METRICS_TOKEN; every other setting as GATEHOUSE_<SECTION>_<KEY> or in gatehouse.yaml in the data
directory (--config FILE names another): docs/configuration.md. Stops gracefully on SIGTERM / SIGINT.`;

export const command: Command = {
  name: 'serve',
  summary: 'Run one app node',
  usage,
  async run(argv) {
    const { values } = parseFlags(argv, { ...storeFlags, port: { type: 'string' }, host: { type: 'string' }, 'node-id': { type: 'string' }, 'skip-migrations': { type: 'boolean' } }, usage);
    // Defaults < file < environment < flags, resolved once; the node takes the result as its configuration.
    const { config } = nodeConfig(values);
    const logger = createLogger({ name: 'gatehouse' });
    const node = await buildApp({ config, logger, skipMigrations: values['skip-migrations'] === true, readProxyHeader });
    // The authorization server (and oidc-provider with it) loads on first use; a serving node builds it
    // before it listens, so the first sign-in does not wait, a bad setting fails at start, and nothing
    // is answered (not even /healthz) before the SIGTERM drain below is in place — a signal in that gap
    // would end the process with requests in flight.
    await node.ctx.oauth.server.getProvider();
    const port = await node.listen();
    logger.info({ port, origin: node.ctx.origin, store: node.ctx.database.dialect, redis: Boolean(node.ctx.redis) }, 'gatehouse node listening');
    console.error(`gatehouse node on http://${node.ctx.config.server.host}:${port} (public origin ${node.ctx.origin})`);
    return new Promise<number>((resolve) => {
      let stopping = false;
      const stop = (signal: NodeJS.Signals) => {
        if (stopping) return;
        stopping = true;
        logger.info({ signal }, 'shutting down');
        const force = setTimeout(() => resolve(1), node.ctx.config.server.shutdownGraceMs);
        force.unref();
        node.close().then(
          () => {
            // Under `gatehouse up` the IPC channel to the supervisor would keep the process alive.
            if (process.connected) process.disconnect();
            resolve(0);
          },
          (error: unknown) => {
            logger.error({ err: error }, 'shutdown failed');
            resolve(1);
          },
        );
      };
      process.once('SIGTERM', stop);
      process.once('SIGINT', stop);
      // A supervisor that died without stopping us (SIGKILL) leaves no one to restart or stop this node.
      process.once('disconnect', () => stop('SIGTERM'));
    });
  },
};
