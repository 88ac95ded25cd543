import { DatasetHolder } from '../features/dataset/heldDataset.ts';

/** A file as the user gave it, kept so it can be read again (new options, a new model or label column). */
export interface HeldFile {
  name: string;
  file: Blob;
}

/**
 * What the page keeps besides the store's snapshots: Blobs (a Blob is no snapshot) and the chain
 * that runs dataset imports one after another. One per page, made with the engine handle in
 * main.tsx; tests make their own.
 */
export interface PageHold {
  /** The image dataset's files and the thumbnail URLs made from them. */
  dataset: DatasetHolder;
  /** The CSV on show: a new label column or task re-reads it without a new pick. */
  csv: HeldFile | null;
  /** The language model's text data: a new option or model tokenizes it again. */
  lmText: HeldFile | null;
  /** The preference pairs: a new option or model tokenizes them again. */
  lmPrefs: HeldFile | null;
  /** The image in Try it: a new run classifies it again (the store holds only its URL). */
  tryImage: File | null;
  /** Imports and re-splits run one after another, so the engine's dataset and the store's match the last request. */
  importQueue: Promise<unknown>;
}

export function createPageHold(dataset: DatasetHolder = new DatasetHolder()): PageHold {
  return { dataset, csv: null, lmText: null, lmPrefs: null, tryImage: null, importQueue: Promise.resolve() };
}
