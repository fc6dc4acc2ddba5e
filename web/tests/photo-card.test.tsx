/** A gallery tile: the owner's star on favourites; FotoAI's enhanced thumbnail where there is one, said in words. */
import { render, screen } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { PhotoCard } from "@/components/photo-card";
import type { PhotoSummary } from "@/lib/photos";
import { summary } from "./mocks";

const tile = (over: Partial<PhotoSummary>) =>
  render(<PhotoCard entry={{ photo: summary(over), duplicateCount: 0, isDuplicate: false }} index={0} size={200} />);

describe("PhotoCard", () => {
  it("marks a favourite with a star that screen readers read as 'Favourite'", () => {
    tile({ favorite: true });
    expect(screen.getByTestId("favorite-mark")).toHaveTextContent("Favourite");
  });

  it("marks nothing on a photo that is not a favourite", () => {
    tile({ favorite: false });
    expect(screen.queryByTestId("favorite-mark")).toBeNull();
  });

  it("shows FotoAI's enhanced thumbnail where enhancement changed the picture, at the original tile's size, and says so", () => {
    tile({
      file_name: "espresso.jpg",
      width: 4000,
      height: 3000,
      thumb_url: "https://s3.test/u/p1/enhanced_thumb_small.jpg?sig=1",
      thumb_large_url: "https://s3.test/u/p1/enhanced_thumb.jpg?sig=1",
      original_thumb_url: "https://s3.test/u/p1/thumb_small.jpg?sig=1",
      enhanced_thumb_url: "https://s3.test/u/p1/enhanced_thumb.jpg?sig=1",
    });
    const img = screen.getByRole("img", { name: "espresso.jpg, enhanced by FotoAI" });
    // The ~256-px thumbnail, as for an original; the 1024-px one only where the tile needs it.
    expect(img).toHaveAttribute("src", "https://s3.test/u/p1/enhanced_thumb_small.jpg?sig=1");
    expect(img).toHaveAttribute(
      "srcset",
      "https://s3.test/u/p1/enhanced_thumb_small.jpg?sig=1 256w, https://s3.test/u/p1/enhanced_thumb.jpg?sig=1 1024w",
    );
    // The tile's width, scaled down on screens denser than 2x (the same pick as at 2x).
    expect(img.getAttribute("sizes")).toMatch(/^\(min-resolution: 4dppx\) 100px, .*\(min-resolution: 3dppx\) 133\.33px, .*, 200px$/);
    expect(img).toHaveAttribute("title", "Enhanced by FotoAI");
    expect(img).toHaveAttribute("data-version", "enhanced");
  });

  it("puts the name and the date on lines of their own, so a narrow tile keeps the name", () => {
    tile({ file_name: "a-rather-long-file-name.jpg", taken_at: null, created_at: "2026-12-02T10:00:00Z" });
    expect(screen.getByTestId("card-name")).toHaveTextContent("a-rather-long-file-name.jpg");
    expect(screen.getByTestId("card-date")).toHaveTextContent("Uploaded 2 Dec 2026");
    expect(screen.getByTestId("card-name").parentElement).toHaveClass("flex-col");
  });

  it("shows the original's thumbnail, without the hint, where enhancement changed nothing", () => {
    tile({
      file_name: "chelsea.jpg",
      thumb_url: "https://s3.test/u/p1/thumb_small.jpg?sig=1",
      original_thumb_url: "https://s3.test/u/p1/thumb_small.jpg?sig=1",
      enhanced_thumb_url: null,
    });
    const img = screen.getByRole("img", { name: "chelsea.jpg" });
    expect(img).toHaveAttribute("src", "https://s3.test/u/p1/thumb_small.jpg?sig=1");
    expect(img).not.toHaveAttribute("title");
    expect(img).toHaveAttribute("data-version", "original");
  });

  it("falls back to thumb_url from a gateway that predates the enhanced thumbnail", () => {
    tile({ file_name: "old.jpg", thumb_url: "https://s3.test/thumb.jpg" });
    const img = screen.getByRole("img", { name: "old.jpg" });
    expect(img).toHaveAttribute("src", "https://s3.test/thumb.jpg");
    expect(img).not.toHaveAttribute("srcset");
  });
});
