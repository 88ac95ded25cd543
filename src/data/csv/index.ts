export * from './tabularTypes.ts';
export { decodeUtf8Chunks, findInvalidUtf8, countLineBreaks, type CsvSource, type TextChunk } from './decodeUtf8Chunks.ts';
export { parseCsv, BadRowLog, type ParseCsvOptions, type ParsedCsv } from './parseCsv.ts';
export { inferSchema, parseNumber, type ColumnProfile, type SchemaOptions, type TabularSchema } from './inferSchema.ts';
export { randomSplit } from './randomSplit.ts';
export { fitTabularEncoder, encodeTabularRows, encodeTabularRecord } from './fitTabularEncoder.ts';
export { buildTabularDataset, loadTabularCsv, type BuildTabularOptions, type LoadTabularCsvOptions } from './buildTabularDataset.ts';
export { readImageLabelCsv, type ImageCsvIssue, type ImageLabelCsvLayout, type ReadImageLabelCsvOptions } from './readImageLabelCsv.ts';
