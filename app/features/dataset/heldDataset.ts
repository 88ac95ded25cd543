import type { DatasetFile } from '../../../src/index.ts';

/**
 * The Blobs of the current dataset and the object URLs made from them. They stay on the main thread,
 * outside the store (which holds plain snapshots): re-imports with another split need the files, and
 * every URL must be revoked once its dataset is replaced, or the Blobs it pins are never freed.
 */
export interface HeldDataset {
  name: string;
  files: DatasetFile[];
  urlByBlob: Map<Blob, string>;
}

export interface UrlFactory {
  create: (blob: Blob) => string;
  revoke: (url: string) => void;
}

const browserUrls: UrlFactory = {
  create: (blob) => URL.createObjectURL(blob),
  revoke: (url) => URL.revokeObjectURL(url),
};

/** Keeps the current dataset; one per page. */
export class DatasetHolder {
  private held: HeldDataset | null = null;

  constructor(private readonly urls: UrlFactory = browserUrls) {}

  current(): { name: string; files: DatasetFile[] } | null {
    return this.held ? { name: this.held.name, files: this.held.files } : null;
  }

  /**
   * Object URLs for the picked thumbnails. URLs of Blobs already shown are reused (a re-import with
   * another seed shows the same images), so nothing flickers or leaks.
   */
  thumbnailUrls(picks: Map<string, DatasetFile[]>): { thumbnails: Record<string, string[]>; urlByBlob: Map<Blob, string> } {
    const urlByBlob = new Map<Blob, string>();
    const thumbnails: Record<string, string[]> = {};
    for (const [name, files] of picks) {
      thumbnails[name] = files.map(({ file }) => {
        const url = urlByBlob.get(file) ?? this.held?.urlByBlob.get(file) ?? this.urls.create(file);
        urlByBlob.set(file, url);
        return url;
      });
    }
    return { thumbnails, urlByBlob };
  }

  /** Makes `next` current and revokes the previous dataset's URLs that `next` does not reuse. */
  replace(next: HeldDataset): void {
    const previous = this.held;
    this.held = next;
    const kept = new Set(next.urlByBlob.values());
    for (const url of previous?.urlByBlob.values() ?? []) {
      if (!kept.has(url)) this.urls.revoke(url);
    }
  }
}
