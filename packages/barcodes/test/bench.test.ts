import { expect, it } from 'vitest';
import { measureGS1ParseThroughput } from '../bench/gs1-parse.bench.ts';

it('measures GS1 parse throughput over codes that all parse', () => {
  const result = measureGS1ParseThroughput({ codes: 2_000 });
  expect(result.codes).toBe(2_000);
  expect(result.codes_per_s).toBeGreaterThan(0);
});
