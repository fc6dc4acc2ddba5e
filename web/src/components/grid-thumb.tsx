import { GRID_SIZES, thumbPicture } from "@/lib/photos";

type Thumbed = Parameters<typeof thumbPicture>[0];

/**
 * A photo's square grid picture (trash, a person's photos, a shared album): its ~256 px
 * thumbnail with the 1024 px one in `srcset`, sized like a grid cell. Nothing without a thumbnail.
 */
export function GridThumb({ photo, alt, className }: { photo: Thumbed; alt: string; className: string }) {
  if (!photo.thumb_url) return null;
  return (
    // eslint-disable-next-line @next/next/no-img-element
    <img
      src={photo.thumb_url}
      srcSet={thumbPicture(photo)?.srcSet}
      sizes={GRID_SIZES}
      alt={alt}
      loading="lazy"
      decoding="async"
      className={className}
    />
  );
}
