import autocannon from 'autocannon';

/** One HTTP request shape to replay, as autocannon takes it. */
export interface LoadRequest {
  method: 'GET' | 'POST';
  path: string;
  body?: string;
}

/** Throughput and latency of one autocannon run. */
export interface LoadResult {
  requestsPerSecond: number;
  latencyP50Ms: number;
  latencyP99Ms: number;
  requests: number;
}

export const LOAD = { connections: 50, warmupSeconds: 2, durationSeconds: 2 };

/** Replays `request` for `seconds`; a run with any non-2xx answer or error is refused. */
export async function runLoad(baseUrl: string, request: LoadRequest, seconds: number): Promise<LoadResult> {
  const result = await autocannon({
    url: `${baseUrl}${request.path}`,
    method: request.method,
    body: request.body,
    headers: request.body ? { 'content-type': 'application/json' } : {},
    connections: LOAD.connections,
    duration: seconds,
  });
  if (result.non2xx > 0 || result.errors > 0) {
    throw new Error(`${request.method} ${baseUrl}${request.path}: ${result.non2xx} non-2xx answers, ${result.errors} errors`);
  }
  return {
    requestsPerSecond: result.requests.average,
    latencyP50Ms: result.latency.p50,
    latencyP99Ms: result.latency.p99,
    requests: result.requests.total,
  };
}
