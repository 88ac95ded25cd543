import { EngineError } from '../errors.ts';

/**
 * JSON.parse with an EngineError that names the file and the 1-based line, so a person can open
 * the file at the right place. Engines word the error differently ("at position 12", "line 2
 * column 3"); both are read.
 */
export function parseJsonFile(text: string, file: string, code: string): unknown {
  try {
    return JSON.parse(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
  } catch (error) {
    const detail = error instanceof Error ? error.message : String(error);
    const line = lineOfJsonError(detail, text);
    const where = line === null ? '' : ` at line ${line}`;
    throw new EngineError(code, `${file} is not valid JSON${where} (${detail}). Re-download or re-export the file.`);
  }
}

function lineOfJsonError(detail: string, text: string): number | null {
  const lineMatch = /line (\d+)/.exec(detail);
  if (lineMatch) return Number(lineMatch[1]);
  const posMatch = /position (\d+)/.exec(detail);
  if (!posMatch) return null;
  const pos = Math.min(Number(posMatch[1]), text.length);
  let line = 1;
  for (let i = 0; i < pos; i++) if (text.charCodeAt(i) === 10) line++;
  return line;
}
