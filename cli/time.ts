// `--since 2h`, `--since 1h30m`, `--since 7d` or an ISO timestamp → ISO timestamp.

import { timeFromAgoOrTimestamp } from '../common/duration.js';
import { CliError } from './errors.js';
import { EXIT } from './exit-codes.js';

export function toIsoTime(value: string, now: () => number = Date.now): string {
  const at = timeFromAgoOrTimestamp(value, now());
  if (Number.isNaN(at)) {
    throw new CliError(
      `invalid time ${JSON.stringify(value)}: use a duration like 30m, 2h, 7d or an ISO timestamp`,
      EXIT.usage,
    );
  }
  return new Date(at).toISOString();
}
