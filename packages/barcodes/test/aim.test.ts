import { describe, expect, it } from 'vitest';
import { parseAimId } from '../src/index.ts';

describe('parseAimId', () => {
  it.each([
    [']C0ABC', 'Code 128', false],
    [']C1010950600013435', 'GS1-128', true],
    [']d1hello', 'Data Matrix', false],
    [']d20109506000134352', 'GS1 DataMatrix', true],
    [']Q1https://example.com', 'QR Code', false],
    [']Q30109506000134352', 'GS1 QR Code', true],
    [']E05901234123457', 'EAN-13', false],
    [']E00614141123452', 'UPC-A', false],
    [']E0614141123452', 'UPC-A', false],
    [']E495012346', 'EAN-8', false],
    [']A0CODE39', 'Code 39', false],
    [']I01234567890', 'Interleaved 2 of 5', false],
    [']L0pdf text', 'PDF417', false],
    [']e00109506000134352', 'GS1 DataBar', true],
  ])('%s → %s', (input, symbology, gs1) => {
    const { aim, data } = parseAimId(input);
    expect(aim).toEqual({ symbology, code: input.slice(0, 3), gs1 });
    expect(data).toBe(input.slice(3));
  });

  it('leaves data without an identifier unchanged', () => {
    expect(parseAimId('0109506000134352')).toEqual({ data: '0109506000134352' });
    expect(parseAimId(']')).toEqual({ data: ']' });
    expect(parseAimId('] x')).toEqual({ data: '] x' });
  });

  it('names an identifier it has no name for by its code', () => {
    expect(parseAimId(']X0data').aim).toEqual({ symbology: 'AIM ]X0', code: ']X0', gs1: false });
  });
});
