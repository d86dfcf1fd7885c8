/** Types of bench/free-port.mjs for the TypeScript integration tests that reuse it. */
export declare function freePort(): Promise<number>;
export declare function canListen(port: number): Promise<boolean>;
