/** Types of scripts/v8-flags.mjs (plain JavaScript: the entries load it before any TypeScript tooling). */
export declare const HEAP_FLAGS: readonly string[];
export declare const START_ENV: Readonly<Record<string, string>>;
export declare const RUNTIME_V8_FLAGS: readonly string[];
export declare function applyV8Flags(): void;
