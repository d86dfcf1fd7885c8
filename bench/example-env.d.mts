/** Types of bench/example-env.mjs for the TypeScript integration tests that reuse it. */
export declare function exampleVariables(): Record<string, string>;
/** .env.example's change-me variables. */
export declare function freshSecrets(): Record<'POSTGRES_PASSWORD' | 'REDIS_PASSWORD' | 'API_KEY' | 'JWT_SECRET', string>;
export declare function exampleSecrets(): Record<string, string>;
export declare function examplePortsFrom(base: number): Record<string, string>;
export declare function exampleEnv(): { secrets: Record<string, string>; env: Record<string, string> };
