/**
 * The safetensors format's fixed facts (https://github.com/huggingface/safetensors#format), shared by
 * the header parser and the whole-file reader and writer.
 */
import { EngineError } from '../errors.ts';

export type SafetensorsDtype =
  | 'F64' | 'F32' | 'F16' | 'BF16' | 'I64' | 'I32' | 'I16' | 'I8' | 'U64' | 'U32' | 'U16' | 'U8' | 'BOOL'
  | 'F8_E4M3' | 'F8_E5M2';

export const DTYPE_BYTES: Record<SafetensorsDtype, number> = {
  F64: 8, F32: 4, F16: 2, BF16: 2, I64: 8, I32: 4, I16: 2, I8: 1, U64: 8, U32: 4, U16: 2, U8: 1, BOOL: 1,
  F8_E4M3: 1, F8_E5M2: 1,
};

/** Headers above this are refused before any allocation: real files' headers are kilobytes. */
export const MAX_HEADER_BYTES = 100 * 1024 * 1024;
/** Tensors per file: real checkpoints hold thousands; a header of millions of tiny entries is an attack. */
export const MAX_ENTRIES = 100_000;

export const bad = (file: string, message: string): EngineError => new EngineError('safetensors-invalid', `${file}: ${message}`);
