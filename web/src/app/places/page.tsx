/** The places route (/places): the list of places and the offline map. */
import type { Metadata } from "next";
import { PlacesScreen } from "@/components/places-screen";
import { mapTilesFromEnv } from "@/lib/csp";

export const metadata: Metadata = { title: "Places" };
// The tile URL is read at request time (never baked into a build).
export const dynamic = "force-dynamic";

export default function PlacesPage() {
  return <PlacesScreen tiles={mapTilesFromEnv(process.env)} />;
}
