/**
 * Files from a drop or a folder pick: walks dropped folders (the entries API) and keeps the
 * files that look like photos, so dropping a camera card folder does not upload sidecar files.
 */

const PHOTO_EXTENSIONS = new Set([
  "jpg", "jpeg", "jpe", "png", "webp", "tif", "tiff", "heic", "heif", "avif", "gif", "bmp",
  "dng", "cr2", "cr3", "nef", "arw", "orf", "rw2", "raf", "pef", "srw",
]);

export function looksLikePhoto(file: { name: string; type: string }): boolean {
  if (file.type.startsWith("image/")) return true;
  const ext = file.name.split(".").pop()?.toLowerCase() ?? "";
  return PHOTO_EXTENSIONS.has(ext);
}

/** For a folder pick: photos only, hidden files (".DS_Store", "._x.jpg") skipped. */
export function photosFromFolder(files: Iterable<File>): File[] {
  return [...files].filter((f) => !f.name.startsWith(".") && looksLikePhoto(f));
}

interface EntryLike {
  isFile: boolean;
  isDirectory: boolean;
  name: string;
  file?(success: (f: File) => void, failure: (e: unknown) => void): void;
  createReader?(): { readEntries(success: (entries: EntryLike[]) => void, failure: (e: unknown) => void): void };
}

async function walk(entry: EntryLike, out: File[]): Promise<void> {
  if (entry.isFile && entry.file) {
    const file = await new Promise<File>((res, rej) => entry.file!(res, rej));
    if (!file.name.startsWith(".") && looksLikePhoto(file)) out.push(file);
    return;
  }
  if (entry.isDirectory && entry.createReader) {
    const reader = entry.createReader();
    // readEntries hands out a directory in batches (100 in Chromium) until an empty one.
    for (;;) {
      const batch = await new Promise<EntryLike[]>((res, rej) => reader.readEntries(res, rej));
      if (batch.length === 0) break;
      for (const child of batch) await walk(child, out);
    }
  }
}

/**
 * Everything dropped: loose files as they are (the gateway judges them and says why it refuses
 * one), dropped folders walked for photos.
 */
export async function filesFromDrop(data: DataTransfer): Promise<File[]> {
  const items = data.items ? [...data.items] : [];
  const entries = items
    .map((i) => (i.kind === "file" && "webkitGetAsEntry" in i ? (i.webkitGetAsEntry() as EntryLike | null) : null));
  if (entries.some((e) => e?.isDirectory)) {
    const out: File[] = [];
    for (const [index, entry] of entries.entries()) {
      if (entry?.isDirectory) await walk(entry, out);
      else {
        const f = items[index]?.getAsFile();
        if (f) out.push(f);
      }
    }
    return out;
  }
  return [...(data.files ?? [])];
}
