/**
 * What the photo viewer knows of the gallery it was opened from: the gallery's address (so
 * "All photos" returns to the same search, filters and photo) and the order of its photos (so
 * previous/next follow the grid). Kept per tab in sessionStorage.
 */

const KEY = "fotoai.gallery";
const FOCUS_KEY = "fotoai.gallery.focus";
const MAX_IDS = 2000;

export interface GalleryTrail {
  href: string;
  ids: string[];
}

function store(): Storage | null {
  try {
    return typeof window === "undefined" ? null : window.sessionStorage;
  } catch {
    return null;
  }
}

export function rememberGallery(href: string, ids: string[]): void {
  store()?.setItem(KEY, JSON.stringify({ href, ids: ids.slice(0, MAX_IDS) }));
}

export function galleryTrail(): GalleryTrail {
  try {
    const raw = store()?.getItem(KEY);
    const trail = raw ? (JSON.parse(raw) as GalleryTrail) : null;
    if (trail && typeof trail.href === "string" && trail.href.startsWith("/") && !trail.href.startsWith("//") && Array.isArray(trail.ids)) return trail;
  } catch {
    // a damaged entry: start over
  }
  return { href: "/", ids: [] };
}

/** The photos before and after `id` in the gallery it was opened from. */
export function neighbours(id: string, trail: GalleryTrail = galleryTrail()): { prev: string | null; next: string | null } {
  const i = trail.ids.indexOf(id);
  if (i < 0) return { prev: null, next: null };
  return { prev: i > 0 ? trail.ids[i - 1] : null, next: i < trail.ids.length - 1 ? trail.ids[i + 1] : null };
}

/** The photo whose card gets the focus when the gallery shows again. */
export function rememberFocus(id: string): void {
  store()?.setItem(FOCUS_KEY, id);
}

export function takeFocus(): string | null {
  const id = store()?.getItem(FOCUS_KEY) ?? null;
  store()?.removeItem(FOCUS_KEY);
  return id;
}
