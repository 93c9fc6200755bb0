// The simulated cluster the benchmarks read: the default fixtures plus namespace `bench` holding exactly
// BENCH_POD_COUNT pods (copies of the default namespace's pods under new names), so `get pods -n bench`
// prints a table of known size, and namespace `big` with 20,000 generated pods.

import { fixtureClock } from '../../sim/fixture-builders.js';
import { defaultFixtures } from '../../sim/fixtures.js';
import { addGeneratedNamespace } from '../../sim/fixtures-generated.js';
import type { KubeObject, SimFixtures } from '../../sim/types.js';

export const BENCH_NAMESPACE = 'bench';
export const BENCH_POD_COUNT = 20;
/** A namespace of generated pods for the agent's bounded-work figures (sim/fixtures-generated.ts). */
export const BIG_NAMESPACE = 'big';
export const BIG_POD_COUNT = 20_000;

export function benchFixtures(now: number): SimFixtures {
  const fixtures = defaultFixtures(now);
  const templates = (fixtures.objects.pods ?? []).filter((p) => p.metadata.namespace === 'default');
  if (templates.length === 0) throw new Error('the default fixtures have no pods in namespace default');
  const copies: KubeObject[] = Array.from({ length: BENCH_POD_COUNT }, (_, i) => {
    const template = templates[i % templates.length] as KubeObject;
    const copy = structuredClone(template);
    copy.metadata = {
      ...copy.metadata,
      name: `bench-${String(i).padStart(2, '0')}-${template.metadata.name}`,
      namespace: BENCH_NAMESPACE,
      uid: `bench-pod-${i}`,
    };
    return copy;
  });
  fixtures.objects.pods = [...(fixtures.objects.pods ?? []), ...copies];
  addGeneratedNamespace(fixtures, fixtureClock(now), BIG_NAMESPACE, BIG_POD_COUNT);
  return fixtures;
}
