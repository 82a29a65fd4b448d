import { expect } from 'chai';
import { LatencyHistogram } from '../../src/server/middleware/latency-histogram.js';

describe('request latency histogram (the /metrics exposition)', () => {
  it('writes cumulative buckets, +Inf, sum and count per label set', () => {
    const histogram = new LatencyHistogram('latency_seconds', 'Latency', [0.01, 0.1, 1]);
    for (const seconds of [0.005, 0.01, 0.05, 0.5, 3]) histogram.observe('GET', '/a/:id', 200, seconds);
    histogram.observe('POST', '/a', 201, 0.02);
    const lines = histogram.exposition().trimEnd().split('\n');
    expect(lines.slice(0, 2)).to.deep.equal(['# HELP latency_seconds Latency', '# TYPE latency_seconds histogram']);
    const get = 'method="GET",route="/a/:id",status="200"';
    expect(lines).to.include.members([
      `latency_seconds_bucket{le="0.01",${get}} 2`,
      `latency_seconds_bucket{le="0.1",${get}} 3`,
      `latency_seconds_bucket{le="1",${get}} 4`,
      `latency_seconds_bucket{le="+Inf",${get}} 5`,
      `latency_seconds_count{${get}} 5`,
      'latency_seconds_bucket{le="0.01",method="POST",route="/a",status="201"} 0',
      'latency_seconds_bucket{le="0.1",method="POST",route="/a",status="201"} 1',
      'latency_seconds_count{method="POST",route="/a",status="201"} 1',
    ]);
    const sum = lines.find((line) => line.startsWith(`latency_seconds_sum{${get}}`));
    expect(Number(sum?.split(' ')[1])).to.be.closeTo(3.565, 1e-9);
  });

  it('escapes label values as the text format requires', () => {
    const histogram = new LatencyHistogram('latency_seconds', 'Latency', [1]);
    histogram.observe('GET', 'a"b\\c\nd', 404, 0.5);
    expect(histogram.exposition()).to.contain('latency_seconds_count{method="GET",route="a\\"b\\\\c\\nd",status="404"} 1');
  });
});
