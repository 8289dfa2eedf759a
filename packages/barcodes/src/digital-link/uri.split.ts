import { hex2 } from '../gs1/charsets.ts';
import { fail, ok, type Result } from '../result.ts';

export interface Part {
  text: string;
  /** Index of text in the URI. */
  position: number;
}

export interface SplitUri {
  pathStart: number;
  segments: Part[];
  query: { key: Part; value: Part }[];
}

function indexOfAny(uri: string, characters: string, from: number): number {
  for (let i = from; i < uri.length; i++) if (characters.includes(uri[i]!)) return i;
  return uri.length;
}

/** Splits an http(s) URI into path segments and query parameters, keeping every part's position. */
export function splitUri(uri: string): Result<SplitUri> {
  for (let i = 0; i < uri.length; i++) {
    const code = uri.charCodeAt(i);
    if (code > 0x7e) return fail(`byte 0x${hex2(code)} not allowed in a Digital Link URI`, i);
    if (code <= 0x20) return fail(`character 0x${hex2(code)} not allowed in a Digital Link URI`, i);
  }
  const scheme = uri.slice(0, 8).toLowerCase();
  const authorityStart = scheme.startsWith('https://') ? 8 : scheme.startsWith('http://') ? 7 : -1;
  if (authorityStart < 0) return fail('expected a URI starting with http:// or https://', 0);
  const pathStart = indexOfAny(uri, '/?#', authorityStart);
  if (pathStart === authorityStart) return fail('expected a host name', authorityStart);
  const queryStart = indexOfAny(uri, '?#', pathStart);
  const fragmentStart = indexOfAny(uri, '#', queryStart);

  const segments: Part[] = [];
  for (let at = pathStart + 1; at <= queryStart; ) {
    const end = indexOfAny(uri.slice(0, queryStart), '/', at);
    segments.push({ text: uri.slice(at, end), position: at });
    at = end + 1;
  }
  const query: SplitUri['query'] = [];
  if (uri[queryStart] === '?') {
    for (let at = queryStart + 1; at < fragmentStart; ) {
      const end = indexOfAny(uri.slice(0, fragmentStart), '&', at);
      const equals = uri.indexOf('=', at);
      const keyEnd = equals >= 0 && equals < end ? equals : end;
      if (end > at) {
        query.push({
          key: { text: uri.slice(at, keyEnd), position: at },
          value: { text: uri.slice(Math.min(keyEnd + 1, end), end), position: Math.min(keyEnd + 1, end) },
        });
      }
      at = end + 1;
    }
  }
  return ok({ pathStart, segments: pathStart < queryStart ? segments : [], query });
}
