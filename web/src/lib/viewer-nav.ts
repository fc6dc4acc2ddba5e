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

const PLACE_KEY = "fotoai.gallery.place";

/** Where the gallery was when a photo was opened: its scroll and where that photo's card sat. */
export interface GalleryPlace {
  id: string;
  /** window.scrollY when the card was opened. */
  scrollY: number;
  /** The card's top edge from the viewport's top, in CSS pixels. */
  top: number;
}

export function rememberPlace(place: GalleryPlace): void {
  store()?.setItem(PLACE_KEY, JSON.stringify(place));
}

export function takePlace(): GalleryPlace | null {
  const raw = store()?.getItem(PLACE_KEY) ?? null;
  store()?.removeItem(PLACE_KEY);
  try {
    const place = raw ? (JSON.parse(raw) as GalleryPlace) : null;
    if (place && typeof place.id === "string" && Number.isFinite(place.scrollY) && Number.isFinite(place.top)) return place;
  } catch {
    // a damaged entry: no place to go back to
  }
  return null;
}

/**
 * How far to scroll so the card is where it was: the card's top now minus its top then. Zero
 * when the card is not the one that was opened (the viewer moved on to another photo).
 */
export function scrollCorrection(place: GalleryPlace | null, id: string, topNow: number): number {
  return place && place.id === id ? Math.round(topNow - place.top) : 0;
}
