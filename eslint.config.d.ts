// Types for what test/architecture-doc.test.ts reads from eslint.config.js (the import arrows).
export declare const AREAS: string[];
export declare const ALLOWED: Record<string, string[]>;
declare const config: unknown[];
export default config;
