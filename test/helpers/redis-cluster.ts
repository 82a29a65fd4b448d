import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { freePort, startPrivateRedis, type PrivateRedis } from './redis-server.js';

const run = promisify(execFile);

/** A local Redis Cluster of three masters (no replicas) that this test run started. */
export interface PrivateCluster {
  nodes: Array<{ host: string; port: number }>;
  destroy(): Promise<void>;
}

/** Starts three cluster-enabled servers, joins them with `redis-cli --cluster create`, waits for `cluster_state:ok`. */
export async function startPrivateCluster(): Promise<PrivateCluster> {
  const servers: PrivateRedis[] = [];
  const destroy = async () => {
    await Promise.all(servers.map((server) => server.destroy()));
  };
  try {
    for (let i = 0; i < 3; i++) {
      // The cluster bus listens on port + 10000, so that one must be free too.
      const port = await freePort(10_000);
      servers.push(
        await startPrivateRedis(['--cluster-enabled', 'yes', '--cluster-config-file', 'nodes.conf', '--appendonly', 'no'], port),
      );
    }
    const addresses = servers.map((server) => `127.0.0.1:${server.port}`);
    await run('redis-cli', ['--cluster', 'create', ...addresses, '--cluster-replicas', '0', '--cluster-yes']);
    for (const server of servers) await waitForClusterOk(server.port);
    return { nodes: servers.map((server) => ({ host: '127.0.0.1', port: server.port })), destroy };
  } catch (error) {
    await destroy();
    throw error;
  }
}

async function waitForClusterOk(port: number): Promise<void> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const { stdout } = await run('redis-cli', ['-p', String(port), 'cluster', 'info']);
    if (stdout.includes('cluster_state:ok')) return;
    if (Date.now() > deadline) throw new Error(`cluster node ${port} never reached cluster_state:ok:\n${stdout}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
