/** Types of scripts/precompile.mjs (plain JavaScript: it runs before any TypeScript tooling). */
export declare const PRECOMPILED_DIR: string;
export declare function precompiled(): Promise<string | undefined>;
