// GS1 element string parse throughput. Run: node packages/barcodes/bench/gs1-parse.bench.ts [codes]
import { pathToFileURL } from 'node:url';
import { parseGS1ElementString } from '../src/index.ts';

const GS = '\x1d';
const sampleCodes = [
  `010950600013435210ABC123${GS}17201231`,
  '00106141411234567897',
  `0109506000134352172612311025-W17-0042${GS}21SN000123456`,
  '01095060001343523103000525',
  '00106141411234567897020950600013435237144',
  '4140614141123452254A1',
  '80030950600013435212345',
];

export interface ThroughputResult {
  codes: number;
  seconds: number;
  codes_per_s: number;
}

/** Parses `codes` element strings on this thread and reports codes per second. */
export function measureGS1ParseThroughput({ codes = 200_000 } = {}): ThroughputResult {
  const clock = { now: () => new Date('2026-01-01T00:00:00Z') };
  for (let i = 0; i < 5_000; i++) parseGS1ElementString(sampleCodes[i % sampleCodes.length]!, { clock });
  let failures = 0;
  const started = process.hrtime.bigint();
  for (let i = 0; i < codes; i++) {
    if (!parseGS1ElementString(sampleCodes[i % sampleCodes.length]!, { clock }).ok) failures++;
  }
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  if (failures > 0) throw new Error(`${failures} benchmark codes failed to parse`);
  return { codes, seconds, codes_per_s: Math.round(codes / seconds) };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const codes = Number(process.argv[2] ?? 200_000);
  const result = measureGS1ParseThroughput({ codes });
  console.table([{ benchmark: 'gs1 element string parse', ...result, target_codes_per_s: 200_000 }]);
}
