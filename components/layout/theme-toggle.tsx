"use client";

import { useState } from "react";
import type { ThemeChoice } from "@/lib/theme";

const OPTIONS: { value: ThemeChoice; label: string }[] = [
  { value: "system", label: "System" },
  { value: "light", label: "Light" },
  { value: "dark", label: "Dark" },
];

/** Stores the choice in the `theme` cookie (read by the root layout) and applies it at once. */
function applyTheme(choice: ThemeChoice) {
  const root = document.documentElement;
  root.classList.remove("light", "dark");
  if (choice === "system") {
    document.cookie = "theme=; path=/; max-age=0; samesite=lax";
  } else {
    root.classList.add(choice);
    document.cookie = `theme=${choice}; path=/; max-age=31536000; samesite=lax`;
  }
}

export function ThemeToggle({ initial }: { initial: ThemeChoice }) {
  const [choice, setChoice] = useState<ThemeChoice>(initial);
  return (
    <label className="inline-flex items-center gap-1 text-sm text-slate-600">
      <span className="sr-only sm:not-sr-only">Theme</span>
      <select
        aria-label="Colour theme"
        data-testid="theme-toggle"
        value={choice}
        onChange={(e) => {
          const next = e.currentTarget.value as ThemeChoice;
          setChoice(next);
          applyTheme(next);
        }}
        className="rounded-md border border-slate-300 bg-surface px-1.5 py-1 text-sm text-slate-800"
      >
        {OPTIONS.map((o) => (
          <option key={o.value} value={o.value}>
            {o.label}
          </option>
        ))}
      </select>
    </label>
  );
}
