export interface AimId {
  /** e.g. 'GS1-128', 'QR Code', 'EAN-13'. */
  symbology: string;
  /** The identifier as sent, e.g. ']C1'. */
  code: string;
  /** The data is a GS1 element string (FNC1 in first position). */
  gs1: boolean;
}

type Decoder = (modifier: string, data: string) => { symbology: string; gs1: boolean };

const plain =
  (symbology: string): Decoder =>
  () => ({ symbology, gs1: false });

const withGS1 =
  (symbology: string, gs1Symbology: string, gs1Modifiers: string): Decoder =>
  (modifier) =>
    gs1Modifiers.includes(modifier) ? { symbology: gs1Symbology, gs1: true } : { symbology, gs1: false };

// ISO/IEC 15424 symbology identifier letters; GS1 modifiers mean FNC1 in the first position.
const decoders: Record<string, Decoder> = {
  A: plain('Code 39'),
  C: withGS1('Code 128', 'GS1-128', '1'),
  d: withGS1('Data Matrix', 'GS1 DataMatrix', '25'),
  Q: withGS1('QR Code', 'GS1 QR Code', '34'),
  e: (modifier) => ({ symbology: modifier === '0' ? 'GS1 DataBar' : 'GS1 Composite', gs1: true }),
  E: (modifier, data) => {
    if (modifier === '4') return { symbology: 'EAN-8', gs1: false };
    if (modifier === '1' || modifier === '2') return { symbology: 'EAN/UPC add-on', gs1: false };
    const isUpcA = data.length === 12 || (data.length === 13 && data.startsWith('0'));
    return { symbology: isUpcA ? 'UPC-A' : 'EAN-13', gs1: false };
  },
  F: plain('Codabar'),
  G: plain('Code 93'),
  I: plain('Interleaved 2 of 5'),
  L: plain('PDF417'),
  z: withGS1('Aztec Code', 'GS1 Aztec Code', '14'),
};

function isModifier(code: number): boolean {
  return (code >= 48 && code <= 57) || (code >= 65 && code <= 90) || (code >= 97 && code <= 122);
}

function isLetter(code: number): boolean {
  return (code >= 65 && code <= 90) || (code >= 97 && code <= 122);
}

/** Strips and decodes a leading "]Xm" AIM symbology identifier; data is returned unchanged when there is none. */
export function parseAimId(input: string): { aim?: AimId; data: string } {
  if (input.length < 3 || input.charCodeAt(0) !== 93 /* ] */) return { data: input };
  if (!isLetter(input.charCodeAt(1)) || !isModifier(input.charCodeAt(2))) return { data: input };
  const code = input.slice(0, 3);
  const data = input.slice(3);
  const decoder = decoders[input[1]!];
  const decoded = decoder ? decoder(input[2]!, data) : { symbology: `AIM ${code}`, gs1: false };
  return { aim: { ...decoded, code }, data };
}
