/**
 * The gateway's people and places resources (docs/architecture.md) as TypeScript types, the
 * owner's commands on a person, and the small pure questions the screens ask about them.
 */

import { getJson, postJson } from "./api";
import { ApiError, parseProblem } from "./problem";
import { REQUEST_HEADER } from "./session";

export interface Person {
  id: string;
  name: string | null;
  hidden: boolean;
  merged_into: string | null;
  face_count: number;
  photo_count: number;
  /** The face shown as the person's picture: its photo and box (fractions of the image). */
  cover: { photo_id: string; box: [number, number, number, number] } | null;
  /** The cover photo's 1024-px thumbnail (FotoAI's version where enhancement changed it): the face is cropped from it. */
  thumb_url: string | null;
}

export interface Place {
  city: string | null;
  state: string | null;
  country: string | null;
  country_code: string | null;
  count: number;
  cover_photo_id: string;
  lat: number | null;
  lon: number | null;
  /** The cover as the gallery shows it (FotoAI's version where enhancement changed it), ~256 px and 1024 px. */
  thumb_url: string | null;
  thumb_large_url?: string | null;
}

export interface MapMarker {
  id: string;
  lat: number;
  lon: number;
}

export interface PhotoPlace {
  city: string | null;
  state: string | null;
  country: string | null;
  country_code: string | null;
}

export const getPeople = (hidden: boolean) => getJson<{ items: Person[] }>(`/v1/people${hidden ? "?hidden=true" : ""}`);

/** Names or hides a person. The change travels as an event: the lists catch up a moment later. */
export async function editPerson(id: string, change: { name?: string; hidden?: boolean }): Promise<void> {
  const response = await fetch(`/api/v1/people/${encodeURIComponent(id)}`, {
    method: "PATCH",
    headers: {
      [REQUEST_HEADER]: "1",
      "content-type": "application/json",
      accept: "application/json, application/problem+json",
    },
    body: JSON.stringify(change),
  }).catch(() => {
    throw new ApiError({ type: "about:blank", title: "Network error", status: 0 }, null);
  });
  if (!response.ok) {
    throw new ApiError(parseProblem(response.status, await response.text().catch(() => "")), response.headers.get("retry-after"));
  }
}

export async function mergePerson(id: string, into: string): Promise<void> {
  await postJson(`/v1/people/${encodeURIComponent(id)}/merge`, { into });
}

/** "Ana", else "Person 3" by the person's place in the list, else a short neutral name. */
export function personLabel(person: Pick<Person, "name">, index?: number): string {
  if (person.name?.trim()) return person.name.trim();
  return index === undefined ? "Unnamed person" : `Person ${index + 1}`;
}

/**
 * CSS that shows only the face of a photo as a background: the box (fractions of the image,
 * square in pixels as the detector gives it) grown by a margin, scaled to fill the avatar.
 */
export function faceCrop(box: [number, number, number, number] | null | undefined, margin = 0.25) {
  if (!box) return { backgroundSize: "cover", backgroundPosition: "center" };
  const [x, y, w, h] = box.map((v) => (Number.isFinite(v) ? v : 0)) as [number, number, number, number];
  const gw = Math.min(1, w * (1 + 2 * margin));
  const gh = Math.min(1, h * (1 + 2 * margin));
  const gx = Math.max(0, Math.min(1 - gw, x - w * margin));
  const gy = Math.max(0, Math.min(1 - gh, y - h * margin));
  const pos = (start: number, size: number) => (size >= 1 ? 50 : (start / (1 - size)) * 100);
  return {
    backgroundSize: `${(100 / Math.max(gw, 1e-6)).toFixed(2)}% ${(100 / Math.max(gh, 1e-6)).toFixed(2)}%`,
    backgroundPosition: `${pos(gx, gw).toFixed(2)}% ${pos(gy, gh).toFixed(2)}%`,
  };
}

/** "Lisbon, Portugal"; the state stands in for a missing city. */
export function placeLabel(place: PhotoPlace | null | undefined): string | null {
  if (!place) return null;
  const parts = [place.city || place.state, place.country].filter((p): p is string => Boolean(p));
  return parts.length ? [...new Set(parts)].join(", ") : null;
}

/** The gallery search that finds a place's photos: by city, else state, else country. */
export function placeSearch(place: PhotoPlace): string {
  return `/?q=${encodeURIComponent(place.city || place.state || place.country || "")}`;
}
