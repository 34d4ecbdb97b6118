"use client";

import type { EventTypeInfo } from "@/components/webhooks/api";

const GROUP_ORDER: EventTypeInfo["group"][] = ["Calls", "Appointments", "Voicemail"];

/**
 * The catalog's event types as checkboxes, grouped (one fieldset per group)
 * with each type's description. Controlled: `value` is the chosen types.
 */
export function EventPicker({
  catalog,
  value,
  onChange,
  error,
  idPrefix,
  disabled,
}: {
  catalog: EventTypeInfo[];
  value: string[];
  onChange: (next: string[]) => void;
  error?: string;
  idPrefix: string;
  disabled?: boolean;
}) {
  const chosen = new Set(value);
  const toggle = (type: string, on: boolean) => {
    const next = new Set(chosen);
    if (on) next.add(type);
    else next.delete(type);
    // keep the catalog's order
    onChange(catalog.map((e) => e.type).filter((t) => next.has(t)));
  };
  const groups = GROUP_ORDER.map((g) => ({ group: g, types: catalog.filter((e) => e.group === g) })).filter(
    (g) => g.types.length > 0,
  );
  const errorId = `${idPrefix}-events-error`;

  return (
    <fieldset
      aria-describedby={error ? errorId : undefined}
      aria-invalid={error ? true : undefined}
      className="space-y-3"
    >
      <legend className="text-sm font-medium text-slate-700">Events</legend>
      <div className="flex flex-wrap gap-2 text-xs">
        <button
          type="button"
          disabled={disabled}
          className="rounded px-1.5 py-0.5 text-indigo-700 underline-offset-2 hover:underline"
          onClick={() => onChange(catalog.map((e) => e.type))}
        >
          Select all
        </button>
        <button
          type="button"
          disabled={disabled}
          className="rounded px-1.5 py-0.5 text-indigo-700 underline-offset-2 hover:underline"
          onClick={() => onChange([])}
        >
          Clear
        </button>
      </div>
      {groups.map(({ group, types }) => (
        <fieldset key={group} className={`rounded-md border p-3 ${error ? "border-red-300" : "border-slate-200"}`}>
          <legend className="px-1 text-xs font-semibold tracking-wide text-slate-500 uppercase">{group}</legend>
          <ul className="space-y-2">
            {types.map((e) => {
              const id = `${idPrefix}-event-${e.type.replace(/\W/g, "-")}`;
              return (
                <li key={e.type} className="flex items-start gap-2">
                  <input
                    id={id}
                    type="checkbox"
                    name="events"
                    value={e.type}
                    checked={chosen.has(e.type)}
                    disabled={disabled}
                    onChange={(ev) => toggle(e.type, ev.currentTarget.checked)}
                    aria-describedby={`${id}-desc`}
                    className="mt-0.5 h-4 w-4 shrink-0 rounded border-slate-300 text-indigo-600 focus:ring-indigo-500"
                  />
                  <div className="text-sm">
                    <label htmlFor={id} className="font-mono text-slate-900">
                      {e.type}
                    </label>
                    <p id={`${id}-desc`} className="text-xs text-slate-500">
                      {e.description}
                    </p>
                  </div>
                </li>
              );
            })}
          </ul>
        </fieldset>
      ))}
      {error ? (
        <p id={errorId} role="alert" className="text-xs text-red-700">
          {error}
        </p>
      ) : null}
    </fieldset>
  );
}
