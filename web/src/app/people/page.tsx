/** The people route (/people): everyone recognised in the owner's photos. */
import type { Metadata } from "next";
import { PeopleScreen } from "@/components/people-screen";

export const metadata: Metadata = { title: "People" };

export default function PeoplePage() {
  return <PeopleScreen />;
}
