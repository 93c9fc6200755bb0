// `--since 2h` or an ISO timestamp → ISO timestamp.

import { CliError } from './errors.js';
import { EXIT } from './exit-codes.js';

const UNIT_MS: Record<string, number> = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

export function toIsoTime(value: string, now: () => number = Date.now): string {
  const relative = /^(\d+)([smhdw])$/.exec(value);
  if (relative) return new Date(now() - Number(relative[1]) * UNIT_MS[relative[2]!]!).toISOString();
  const parsed = Date.parse(value);
  if (Number.isNaN(parsed)) {
    throw new CliError(
      `invalid time ${JSON.stringify(value)}: use a duration like 30m, 2h, 7d or an ISO timestamp`,
      EXIT.usage,
    );
  }
  return new Date(parsed).toISOString();
}
