/**
 * Face boxes drawn over a photo: boxes arrive as fractions of the image (x, y, w, h), so they are
 * placed in percentages and stay right at any display size. A recognised face carries its
 * person's name (links to their photos are in the Details panel).
 */

export interface FaceBox {
  box: [number, number, number, number];
  score: number;
  /** The person face recognition put this face with, and the name the owner gave them. */
  person_id?: string | null;
  person_name?: string | null;
}

/** The label on a face box: the person's name, else "Face 2 · 87%". */
export function faceLabel(face: FaceBox, index: number): string {
  return face.person_name?.trim() || `Face ${index + 1} · ${Math.round(face.score * 100)}%`;
}

const clamp = (v: number) => Math.min(1, Math.max(0, Number.isFinite(v) ? v : 0));

/** CSS percentages for a fractional box, clipped to the image. */
export function boxStyle([x, y, w, h]: [number, number, number, number]) {
  const left = clamp(x);
  const top = clamp(y);
  const width = clamp(Math.min(w, 1 - left));
  const height = clamp(Math.min(h, 1 - top));
  return { left: `${left * 100}%`, top: `${top * 100}%`, width: `${width * 100}%`, height: `${height * 100}%` };
}

export function FaceBoxes({ faces, visible = true }: { faces: FaceBox[]; visible?: boolean }) {
  if (!faces.length || !visible) return null;
  return (
    <div className="pointer-events-none absolute inset-0" data-testid="face-boxes">
      {faces.map((face, i) => (
        <div
          key={i}
          data-testid="face-box"
          className="absolute rounded-sm border-2 border-amber-300 shadow-[0_0_0_1px_rgba(0,0,0,0.6)]"
          style={boxStyle(face.box)}
        >
          <span
            className="absolute -top-5 left-0 whitespace-nowrap rounded bg-amber-300 px-1 text-xs text-zinc-900"
            data-testid={face.person_name ? "face-name" : undefined}
          >
            {faceLabel(face, i)}
          </span>
        </div>
      ))}
    </div>
  );
}
