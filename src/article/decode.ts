// Bytes to text: size cap, binary sniffing, then UTF-8 with a Windows-1252 fallback.
import { decode as decodeWindows1252 } from 'windows-1252';
import { reject } from './reject.ts';

const SNIFF_BYTES = 8 * 1024;
/** Stateless between calls (no `stream` option), so one decoder serves every file. */
const UTF8 = new TextDecoder('utf-8', { fatal: true });

/** Formats a byte count for people: `512 bytes`, `1.5 KiB`, `1 MiB`. */
export function formatBytes(count: number): string {
  if (count < 1024) return `${count} bytes`;
  const [value, unit] = count < 1024 * 1024 ? [count / 1024, 'KiB'] : [count / (1024 * 1024), 'MiB'];
  return `${Number.isInteger(value) ? value : value.toFixed(1)} ${unit}`;
}

/** The reason given for a file over the cap; callers that know the size early use it without reading. */
export function oversizeReason(size: number, maxBytes: number): string {
  const human = formatBytes(size);
  return `file is ${human.endsWith(' bytes') ? human : `${size} bytes (${human})`}, over the ${formatBytes(maxBytes)} cap`;
}

/** Decodes an article file's bytes, rejecting oversized and binary files. */
export function decodeArticleBytes(bytes: Uint8Array, maxBytes: number): string {
  if (bytes.length > maxBytes) reject(oversizeReason(bytes.length, maxBytes));
  // Windows editors still save "Unicode" as UTF-16 with a BOM; its ASCII would look binary.
  const utf16 = decodeUtf16WithBom(bytes);
  if (utf16 !== undefined) return utf16;
  if (bytes.subarray(0, SNIFF_BYTES).includes(0)) {
    reject('binary file (NUL byte in the first 8 KiB)');
  }
  try {
    return UTF8.decode(bytes);
  } catch {
    // Not TextDecoder('windows-1252'): Node 20's treats it as Latin-1, so 0x93 became U+0093
    // instead of “. The package carries the real table for 0x80–0x9F.
    return decodeWindows1252(bytes);
  }
}

function decodeUtf16WithBom(bytes: Uint8Array): string | undefined {
  const littleEndian = bytes[0] === 0xff && bytes[1] === 0xfe;
  const bigEndian = bytes[0] === 0xfe && bytes[1] === 0xff;
  if (!littleEndian && !bigEndian) return undefined;
  const units: string[] = [];
  for (let i = 2; i + 1 < bytes.length; i += 2) {
    const first = bytes[i] ?? 0;
    const second = bytes[i + 1] ?? 0;
    units.push(String.fromCharCode(littleEndian ? first | (second << 8) : (first << 8) | second));
  }
  return units.join('');
}
