/**
 * The one place Costrail reads `process.env` (test/architecture/config-env.test.ts fails when
 * another module does). Read on each call, not cached: the CLI's option defaults and tests set
 * variables before they build a command or a runtime. Which variables exist and what they mean is
 * declared in env-vars.ts.
 */
export type Environment = Readonly<Record<string, string | undefined>>;

export function environment(): Environment {
  return process.env;
}
