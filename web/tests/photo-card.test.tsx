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

  it("shows FotoAI's enhanced thumbnail where enhancement changed the picture, and says so", () => {
    tile({
      file_name: "espresso.jpg",
      thumb_url: "https://s3.test/u/p1/enhanced_thumb.jpg?sig=1",
      original_thumb_url: "https://s3.test/u/p1/thumb_small.jpg?sig=1",
      enhanced_thumb_url: "https://s3.test/u/p1/enhanced_thumb.jpg?sig=1",
    });
    const img = screen.getByRole("img", { name: "espresso.jpg, enhanced by FotoAI" });
    expect(img).toHaveAttribute("src", "https://s3.test/u/p1/enhanced_thumb.jpg?sig=1");
    expect(img).toHaveAttribute("title", "Enhanced by FotoAI");
    expect(img).toHaveAttribute("data-version", "enhanced");
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
    expect(screen.getByRole("img", { name: "old.jpg" })).toHaveAttribute("src", "https://s3.test/thumb.jpg");
  });
});
