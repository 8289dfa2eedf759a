export { type AimId, parseAimId } from './aim/aim.parse.ts';
export { parseGS1DigitalLink } from './digital-link/digital-link.parse.ts';
export { aiTable, type CompiledAi } from './gs1/ai-table.ts';
export { gs1CheckDigit, gs1CheckPair } from './gs1/check-digit.ts';
export type { Clock, GS1Element, GS1ParseOptions } from './gs1/element.types.ts';
export { parseGS1ElementString } from './gs1/element-string.parse.ts';
export type { Result, ScanError } from './result.ts';
export { parseScan, type Scan } from './scan.parse.ts';
