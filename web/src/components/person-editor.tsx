"use client";
/**
 * A person's avatar (the face cropped from its cover photo) and the owner's commands on a
 * person: rename inline, hide or show, merge into another person. Commands travel as events, so
 * `usePendingEdits` shows what was asked until the lists catch up.
 */

import { useCallback, useEffect, useId, useState } from "react";
import { editPerson, faceCrop, personLabel, type Person } from "@/lib/people";
import { ProblemMessage } from "./problem-message";

const button =
  "rounded-md border border-zinc-300 px-2.5 py-1 text-sm hover:bg-zinc-100 disabled:opacity-50 dark:border-zinc-700 dark:hover:bg-zinc-800";

export function Avatar({ person, size = 96 }: { person: Pick<Person, "thumb_url" | "cover">; size?: number }) {
  return (
    <div
      aria-hidden="true"
      data-testid="avatar"
      className="shrink-0 rounded-full bg-zinc-200 bg-no-repeat dark:bg-zinc-800"
      style={{
        width: size,
        height: size,
        ...(person.thumb_url ? { backgroundImage: `url("${person.thumb_url.replaceAll('"', "%22")}")`, ...faceCrop(person.cover?.box) } : {}),
      }}
    />
  );
}

export interface PendingEdit {
  name?: string | null;
  hidden?: boolean;
  merged?: boolean;
}

/**
 * What the owner asked but the read model does not show yet, applied over the server's answer;
 * an edit is forgotten once the server agrees (or after a minute, so nothing sticks forever).
 */
export function usePendingEdits(people: Person[] | undefined) {
  const [pending, setPending] = useState<Record<string, PendingEdit & { at: number }>>({});
  useEffect(() => {
    if (!people) return;
    setPending((current) => {
      const next = { ...current };
      let changed = false;
      for (const [id, edit] of Object.entries(current)) {
        const p = people.find((x) => x.id === id);
        const agrees =
          (edit.merged ? !p : true) &&
          (edit.name === undefined || (p && (p.name ?? null) === (edit.name || null))) &&
          (edit.hidden === undefined || (p ? p.hidden === edit.hidden : edit.hidden));
        if (agrees || Date.now() - edit.at > 60_000) {
          delete next[id];
          changed = true;
        }
      }
      return changed ? next : current;
    });
  }, [people]);
  const remember = useCallback((id: string, edit: PendingEdit) => {
    setPending((current) => ({ ...current, [id]: { ...current[id], ...edit, at: Date.now() } }));
  }, []);
  const apply = useCallback(
    (list: Person[]) =>
      list
        .filter((p) => !pending[p.id]?.merged)
        .map((p) => {
          const e = pending[p.id];
          if (!e) return p;
          return { ...p, ...(e.name !== undefined ? { name: e.name || null } : {}), ...(e.hidden !== undefined ? { hidden: e.hidden } : {}) };
        }),
    [pending],
  );
  return { busy: Object.keys(pending).length > 0, remember, apply };
}

/** The name as a heading-like label with a Rename button that turns into a form in place. */
export function RenamePerson({
  person,
  index,
  onRenamed,
  as: Tag = "span",
}: {
  person: Person;
  index?: number;
  onRenamed: (name: string) => void;
  as?: "span" | "h1";
}) {
  const [editing, setEditing] = useState(false);
  const [draft, setDraft] = useState(person.name ?? "");
  const [error, setError] = useState<unknown>(null);
  const [saving, setSaving] = useState(false);
  const inputId = useId();
  const label = personLabel(person, index);

  if (!editing) {
    return (
      <div className="flex min-w-0 flex-wrap items-center gap-2">
        <Tag className={`${Tag === "h1" ? "text-xl font-semibold" : "font-medium"} truncate`} data-testid="person-name">
          {label}
        </Tag>
        <button
          type="button"
          className={button}
          onClick={() => {
            setDraft(person.name ?? "");
            setEditing(true);
          }}
          aria-label={person.name ? `Rename ${label}` : `Add name for ${label}`}
        >
          {person.name ? "Rename" : "Add name"}
        </button>
      </div>
    );
  }
  return (
    <form
      className="flex flex-wrap items-center gap-2"
      onSubmit={async (e) => {
        e.preventDefault();
        setSaving(true);
        setError(null);
        try {
          await editPerson(person.id, { name: draft.trim() });
          onRenamed(draft.trim());
          setEditing(false);
        } catch (err) {
          setError(err);
        } finally {
          setSaving(false);
        }
      }}
    >
      <label htmlFor={inputId} className="sr-only">
        Name of {label}
      </label>
      <input
        id={inputId}
        autoFocus
        maxLength={200}
        value={draft}
        onChange={(e) => setDraft(e.target.value)}
        onKeyDown={(e) => {
          if (e.key === "Escape") setEditing(false);
        }}
        placeholder="Name"
        className="w-40 rounded-md border border-zinc-300 bg-white px-2 py-1 text-sm dark:border-zinc-700 dark:bg-zinc-900"
      />
      <button type="submit" className={button} disabled={saving}>
        Save
      </button>
      <button type="button" className={button} onClick={() => setEditing(false)}>
        Cancel
      </button>
      {error ? <ProblemMessage error={error} title="The name was not saved" /> : null}
    </form>
  );
}

export function HideToggle({ person, label, onChanged }: { person: Person; label: string; onChanged: (hidden: boolean) => void }) {
  const [error, setError] = useState<unknown>(null);
  const [saving, setSaving] = useState(false);
  return (
    <>
      <button
        type="button"
        className={button}
        disabled={saving}
        aria-label={`${person.hidden ? "Show" : "Hide"} ${label}`}
        onClick={async () => {
          setSaving(true);
          setError(null);
          try {
            await editPerson(person.id, { hidden: !person.hidden });
            onChanged(!person.hidden);
          } catch (err) {
            setError(err);
          } finally {
            setSaving(false);
          }
        }}
      >
        {person.hidden ? "Show" : "Hide"}
      </button>
      {error ? <ProblemMessage error={error} title="Not changed" /> : null}
    </>
  );
}
