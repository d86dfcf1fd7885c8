/** Types of bench/compose-up.mjs for the TypeScript integration test that reuses it. */
export declare const ROOT: string;
export declare const COMPOSE_FILE: string;
export declare function writeStackEnv(dir: string): Promise<{ file: string; values: Record<string, string> }>;
export declare function exportVariant(intervalText: string): Promise<string>;
export interface ComposeUpOptions {
  file: string;
  envFile: string;
  project: string;
  timeoutMs?: number;
  keep?: boolean;
  log?: (line: string) => void;
}
export interface ComposeUpResult {
  allHealthyMs: number;
  upReturnedMs?: number;
  services: Record<string, number>;
}
export declare function composeUpUntilHealthy(options: ComposeUpOptions): Promise<ComposeUpResult>;
export declare function composeDown(options: Pick<ComposeUpOptions, 'file' | 'envFile' | 'project'>): Promise<void>;
