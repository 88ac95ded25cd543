/**
 * Object URLs are revoked a little after the click: revoking synchronously can cancel the download
 * in some browsers (the navigation to the blob: URL starts asynchronously).
 */
const REVOKE_AFTER_MS = 10_000;

/** Saves `blob` as `fileName` through a temporary `<a download>`: a real browser download, no server. */
export function downloadBlob(blob: Blob, fileName: string): void {
  const url = URL.createObjectURL(blob);
  const link = document.createElement('a');
  link.href = url;
  link.download = fileName;
  link.rel = 'noopener';
  link.hidden = true;
  document.body.append(link);
  try {
    link.click();
  } finally {
    link.remove();
    setTimeout(() => URL.revokeObjectURL(url), REVOKE_AFTER_MS);
  }
}

/** Bytes as a Blob. A copy: a Blob cannot take a view of a SharedArrayBuffer. */
export function bytesBlob(bytes: Uint8Array, type = 'application/octet-stream'): Blob {
  return new Blob([new Uint8Array(bytes)], { type });
}
