/** A person's route (/people/[id]): their face, name and photos. */
import type { Metadata } from "next";
import { PersonScreen } from "@/components/person-screen";

export const metadata: Metadata = { title: "Person" };

export default async function PersonPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  return <PersonScreen id={decodeURIComponent(id)} />;
}
