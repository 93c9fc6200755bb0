// Metrics exposure: the public gateway URL must not serve Prometheus metrics (cluster names, denial and
// authentication-failure counts); they belong on the metrics port, which the Ingress does not route.

import { type CheckRow, type DoctorDeps, row } from './check.js';

const CHECK = 'metrics not public';

/** Prometheus's text format: a `# HELP` or `# TYPE` line, or a kubently_ sample. */
function looksLikeMetrics(text: string): boolean {
  return /^# (HELP|TYPE) /m.test(text) || /^kubently_[a-z_]+[{ ]/m.test(text);
}

export async function checkMetricsExposure(deps: DoctorDeps): Promise<CheckRow[]> {
  const seen: string[] = [];
  for (const path of ['/metrics', '/metrics/']) {
    const res = await deps.fetch(`${deps.apiUrl}${path}`, { redirect: 'manual' });
    // Only the first 64 KiB: enough to recognize the format, bounded whatever answers.
    const text = (await res.text()).slice(0, 65_536);
    if (res.status === 200 && looksLikeMetrics(text)) {
      return [
        row(
          CHECK,
          'fail',
          `GET ${path} on the public URL answers 200 with Prometheus metrics`,
          'serve metrics only on METRICS_PORT and route only the API port through the Ingress (docs/deployment.md)',
        ),
      ];
    }
    seen.push(`GET ${path} → ${res.status}`);
  }
  return [row(CHECK, 'pass', seen.join(', '))];
}
