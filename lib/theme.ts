import { cookies } from "next/headers";

/**
 * The colour theme: "system" follows prefers-color-scheme (CSS only); an
 * explicit choice is a cookie the root layout turns into a class on <html>,
 * so the first paint is right without an inline script.
 */
export const THEME_COOKIE = "theme";
export type ThemeChoice = "system" | "light" | "dark";

export function parseTheme(value: string | undefined): ThemeChoice {
  return value === "light" || value === "dark" ? value : "system";
}

export async function readTheme(): Promise<ThemeChoice> {
  return parseTheme((await cookies()).get(THEME_COOKIE)?.value);
}
