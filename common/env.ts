// Small typed readers for environment variables. Only config modules call these; each collects
// every problem so that start-up fails once with the full list instead of one error at a time.

import { readFileSync } from 'node:fs';

export type Env = Readonly<Record<string, string | undefined>>;

export class ConfigError extends Error {
  readonly problems: string[];
  constructor(service: string, problems: string[]) {
    super(`invalid ${service} configuration:\n  - ${problems.join('\n  - ')}`);
    this.name = 'ConfigError';
    this.problems = problems;
  }
}

export class EnvReader {
  readonly problems: string[] = [];
  constructor(private readonly env: Env) {}

  string(name: string, fallback: string): string;
  string(name: string): string | undefined;
  string(name: string, fallback?: string): string | undefined {
    const value = this.env[name];
    return value === undefined || value === '' ? fallback : value;
  }

  required(name: string, hint: string): string {
    const value = this.string(name);
    if (value === undefined) {
      this.problems.push(`${name} is required: ${hint}`);
      return '';
    }
    return value;
  }

  int(name: string, fallback: number, range: { min?: number; max?: number } = {}): number {
    const raw = this.string(name);
    if (raw === undefined) return fallback;
    const value = Number(raw);
    const { min = Number.MIN_SAFE_INTEGER, max = Number.MAX_SAFE_INTEGER } = range;
    if (!/^-?\d+$/.test(raw.trim()) || value < min || value > max) {
      this.problems.push(`${name}=${JSON.stringify(raw)} must be an integer between ${min} and ${max}`);
      return fallback;
    }
    return value;
  }

  bool(name: string, fallback: boolean): boolean {
    const raw = this.string(name)?.toLowerCase();
    if (raw === undefined) return fallback;
    if (['1', 'true', 'yes', 'on'].includes(raw)) return true;
    if (['0', 'false', 'no', 'off'].includes(raw)) return false;
    this.problems.push(`${name}=${JSON.stringify(raw)} must be true or false`);
    return fallback;
  }

  oneOf<T extends string>(name: string, allowed: readonly T[], fallback: T): T {
    const raw = this.string(name);
    if (raw === undefined) return fallback;
    if ((allowed as readonly string[]).includes(raw)) return raw as T;
    this.problems.push(`${name}=${JSON.stringify(raw)} must be one of ${allowed.join(', ')}`);
    return fallback;
  }

  list(name: string): string[] {
    return (this.string(name) ?? '')
      .split(/[,\s]+/)
      .map((s) => s.trim())
      .filter(Boolean);
  }

  /** A secret given either inline (NAME) or as a mounted file (NAME_FILE); the file wins. Read once at start-up. */
  secret(name: string): string | undefined {
    const file = this.string(`${name}_FILE`);
    if (file !== undefined) {
      try {
        return readFileSync(file, 'utf8').trim();
      } catch (err) {
        this.problems.push(
          `${name}_FILE=${file} cannot be read: ${(err as NodeJS.ErrnoException).code ?? 'error'}`,
        );
        return undefined;
      }
    }
    return this.string(name);
  }

  done(service: string): void {
    if (this.problems.length > 0) throw new ConfigError(service, this.problems);
  }
}
