/** A gallery tile shows the owner's star on favourites, and nothing on the others. */
import { render, screen } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { PhotoCard } from "@/components/photo-card";
import { summary } from "./mocks";

const tile = (favorite: boolean) =>
  render(<PhotoCard entry={{ photo: summary({ favorite }), duplicateCount: 0, isDuplicate: false }} index={0} size={200} />);

describe("PhotoCard", () => {
  it("marks a favourite with a star that screen readers read as 'Favourite'", () => {
    tile(true);
    expect(screen.getByTestId("favorite-mark")).toHaveTextContent("Favourite");
  });

  it("marks nothing on a photo that is not a favourite", () => {
    tile(false);
    expect(screen.queryByTestId("favorite-mark")).toBeNull();
  });
});
