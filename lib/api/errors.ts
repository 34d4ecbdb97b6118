/**
 * The API's error type and helpers live in lib/errors.ts (a leaf, so lib/auth
 * can throw them without importing lib/api, which imports lib/auth).
 */
export * from "@/lib/errors";
