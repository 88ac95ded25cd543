import { EngineError } from '../../errors.ts';
import { countLineBreaks, findInvalidUtf8 } from '../csv/decodeUtf8Chunks.ts';

/**
 * A whole text file as strictly decoded UTF-8 (a leading byte-order mark is kept for the parser to
 * drop). Bytes that are not UTF-8 throw EngineError `code` naming the file, the 1-based line and the
 * 0-based byte offset, instead of turning silently into U+FFFD as Blob.text() would.
 */
export function decodeUtf8Text(bytes: Uint8Array, name: string, code = 'lm-invalid-utf8'): string {
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch {
    let at = findInvalidUtf8(bytes);
    if (at < 0) at = bytes.length;
    const line = 1 + countLineBreaks(new TextDecoder().decode(bytes.subarray(0, at)));
    const what = at < bytes.length ? `byte 0x${bytes[at]!.toString(16).toUpperCase().padStart(2, '0')}` : 'a character cut off at the end';
    throw new EngineError(code, `${name}, line ${line} (byte offset ${at}): the file is not valid UTF-8 (${what}). Save it as UTF-8 and import it again.`);
  }
}
