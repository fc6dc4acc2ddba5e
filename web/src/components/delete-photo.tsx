"use client";
/**
 * Delete with confirmation (the shared confirm dialog); on success the caller moves away.
 */

import { deletePhoto } from "@/lib/api";
import { markDeleted } from "@/lib/deleted-photos";
import { ConfirmDialog, DANGER_BUTTON } from "./confirm-dialog";

export function DeletePhoto({ id, name, onDeleted }: { id: string; name: string; onDeleted: () => void }) {
  return (
    <ConfirmDialog
      trigger={
        <button type="button" className={DANGER_BUTTON}>
          Delete
        </button>
      }
      title="Delete this photo?"
      description={<>“{name}” moves to the trash with all its versions. You can restore it from there for 30 days.</>}
      cancelLabel="Keep it"
      confirmLabel="Delete photo"
      busyLabel="Deleting…"
      errorTitle="The photo was not deleted"
      onConfirm={async () => {
        await deletePhoto(id);
        markDeleted(id);
        onDeleted();
      }}
    />
  );
}
