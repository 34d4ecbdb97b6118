/** Types of api-headers.mjs (plain JavaScript, see there). */
export declare const API_CONTENT_SECURITY_POLICY: string;
export declare const FIXED_SECURITY_HEADERS: Readonly<Record<string, string>>;
export declare const HSTS: string;
export declare const API_SECURITY_HEADERS: Readonly<Record<string, string>>;
export declare const MACHINE_API_SOURCES: readonly string[];
