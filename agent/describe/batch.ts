// Job and CronJob describers, as kubectl 1.32's describeJob and describeCronJob.

import type { CronJob, Job, JobTemplateSpec } from 'kubernetes-types/batch/v1.js';
import type { DescribeContext } from './context.js';
import { describeEvents, eventsAbout } from './events.js';
import {
  controllerOf,
  humanDuration,
  printAnnotationsMultiline,
  printBool,
  printLabelsMultiline,
  rfc1123z,
  type Stored,
  selectorString,
} from './format.js';
import { describePodTemplate } from './pod.js';
import { LEVEL_0, type PrefixWriter, tabbed } from './prefix-writer.js';

/** capIndexesListOrNone: the completed indexes up to the first comma past `softLimit` characters. */
function capIndexes(indexes: string | undefined, softLimit: number): string {
  if (!indexes) return '<none>';
  const comma = indexes.indexOf(',', softLimit);
  return comma < 0 || indexes.length <= softLimit ? indexes : `${indexes.slice(0, comma + 1)}...`;
}

export async function describeJob(ctx: DescribeContext, job: Stored<Job>): Promise<string> {
  const md = job.metadata;
  const events = await eventsAbout(ctx, job, 'Job');
  const spec: Partial<NonNullable<Job['spec']>> = job.spec ?? {};
  const st: NonNullable<Job['status']> = job.status ?? {};
  return tabbed((w) => {
    w.write(LEVEL_0, `Name:\t${md.name}\n`);
    w.write(LEVEL_0, `Namespace:\t${md.namespace ?? ''}\n`);
    w.write(LEVEL_0, `Selector:\t${selectorString(spec.selector) ?? ''}\n`);
    printLabelsMultiline(w, 'Labels', md.labels);
    printAnnotationsMultiline(w, 'Annotations', md.annotations);
    const controlledBy = controllerOf(job);
    if (controlledBy) w.write(LEVEL_0, `Controlled By:\t${controlledBy}\n`);
    if (spec.parallelism != null) w.write(LEVEL_0, `Parallelism:\t${spec.parallelism}\n`);
    w.write(LEVEL_0, `Completions:\t${spec.completions ?? '<unset>'}\n`);
    if (spec.completionMode != null) w.write(LEVEL_0, `Completion Mode:\t${spec.completionMode}\n`);
    if (spec.suspend != null) w.write(LEVEL_0, `Suspend:\t${spec.suspend}\n`);
    if (spec.backoffLimit != null) w.write(LEVEL_0, `Backoff Limit:\t${spec.backoffLimit}\n`);
    if (spec.ttlSecondsAfterFinished != null)
      w.write(LEVEL_0, `TTL Seconds After Finished:\t${spec.ttlSecondsAfterFinished}\n`);
    if (st.startTime) w.write(LEVEL_0, `Start Time:\t${rfc1123z(st.startTime)}\n`);
    if (st.completionTime) w.write(LEVEL_0, `Completed At:\t${rfc1123z(st.completionTime)}\n`);
    if (st.startTime && st.completionTime) {
      const ms = Date.parse(st.completionTime) - Date.parse(st.startTime);
      w.write(LEVEL_0, `Duration:\t${humanDuration(ms)}\n`);
    }
    if (spec.activeDeadlineSeconds != null)
      w.write(LEVEL_0, `Active Deadline Seconds:\t${spec.activeDeadlineSeconds}s\n`);
    const counts = `${st.succeeded ?? 0} Succeeded / ${st.failed ?? 0} Failed`;
    w.write(
      LEVEL_0,
      st.ready == null
        ? `Pods Statuses:\t${st.active ?? 0} Active / ${counts}\n`
        : `Pods Statuses:\t${st.active ?? 0} Active (${st.ready} Ready) / ${counts}\n`,
    );
    if (spec.completionMode === 'Indexed')
      w.write(LEVEL_0, `Completed Indexes:\t${capIndexes(st.completedIndexes, 50)}\n`);
    describePodTemplate(spec.template, w);
    describeEvents(events, w, ctx.now);
  });
}

function describeJobTemplate(template: JobTemplateSpec | undefined, w: PrefixWriter): void {
  const spec = template?.spec;
  w.write(LEVEL_0, `Selector:\t${spec?.selector ? (selectorString(spec.selector) ?? '') : '<unset>'}\n`);
  w.write(LEVEL_0, `Parallelism:\t${spec?.parallelism ?? '<unset>'}\n`);
  w.write(LEVEL_0, `Completions:\t${spec?.completions ?? '<unset>'}\n`);
  if (spec?.activeDeadlineSeconds != null)
    w.write(LEVEL_0, `Active Deadline Seconds:\t${spec.activeDeadlineSeconds}s\n`);
  describePodTemplate(spec?.template, w);
}

/** printBoolPtr. */
const boolOrUnset = (v: boolean | undefined): string => (v == null ? '<unset>' : printBool(v));

export async function describeCronJob(ctx: DescribeContext, cj: Stored<CronJob>): Promise<string> {
  const md = cj.metadata;
  const events = await eventsAbout(ctx, cj, 'CronJob');
  const spec: Partial<NonNullable<CronJob['spec']>> = cj.spec ?? {};
  return tabbed((w) => {
    w.write(LEVEL_0, `Name:\t${md.name}\n`);
    w.write(LEVEL_0, `Namespace:\t${md.namespace ?? ''}\n`);
    printLabelsMultiline(w, 'Labels', md.labels);
    printAnnotationsMultiline(w, 'Annotations', md.annotations);
    w.write(LEVEL_0, `Schedule:\t${spec.schedule ?? ''}\n`);
    w.write(LEVEL_0, `Concurrency Policy:\t${spec.concurrencyPolicy ?? ''}\n`);
    w.write(LEVEL_0, `Suspend:\t${boolOrUnset(spec.suspend)}\n`);
    w.write(LEVEL_0, `Successful Job History Limit:\t${spec.successfulJobsHistoryLimit ?? '<unset>'}\n`);
    w.write(LEVEL_0, `Failed Job History Limit:\t${spec.failedJobsHistoryLimit ?? '<unset>'}\n`);
    w.write(
      LEVEL_0,
      `Starting Deadline Seconds:\t${spec.startingDeadlineSeconds == null ? '<unset>' : `${spec.startingDeadlineSeconds}s`}\n`,
    );
    describeJobTemplate(spec.jobTemplate, w);
    const last = cj.status?.lastScheduleTime;
    w.write(LEVEL_0, `Last Schedule Time:\t${last ? rfc1123z(last) : '<unset>'}\n`);
    const active = cj.status?.active ?? [];
    w.write(
      LEVEL_0,
      `Active Jobs:\t${active.length === 0 ? '<none>' : active.map((j) => j.name).join(', ')}\n`,
    );
    describeEvents(events, w, ctx.now);
  });
}
