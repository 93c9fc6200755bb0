// Printers for policy/v1, scheduling.k8s.io and IngressClass (pkg/printers/internalversion/printers.go),
// and the apiextensions apiserver's table for a custom resource, built from its CRD's
// additionalPrinterColumns.

import { since } from '../../common/duration.js';
import type { KubeObject } from '../types.js';
import { AGE, age, col, NAME, NAME_DESCRIPTION, type Printer, spec, status } from './column.js';

/** intstr.IntOrString.String(). */
const intOrString = (v: number | string | undefined): string => (v === undefined ? 'N/A' : String(v));

export const podDisruptionBudgetPrinter: Printer = {
  columns: [
    NAME,
    col('Min Available', 'The minimum number or percentage of available pods this budget requires'),
    col('Max Unavailable', 'The maximum number or percentage of unavailable pods this budget requires'),
    col('Allowed Disruptions', 'Calculated number of pods that may be disrupted at this time', {
      type: 'integer',
    }),
    AGE,
  ],
  cells(obj, now) {
    const s = spec<{ minAvailable?: number | string; maxUnavailable?: number | string }>(obj);
    return [
      obj.metadata.name,
      intOrString(s.minAvailable),
      intOrString(s.maxUnavailable),
      status<{ disruptionsAllowed?: number }>(obj).disruptionsAllowed ?? 0,
      age(obj, now),
    ];
  },
};

export const ingressClassPrinter: Printer = {
  columns: [
    NAME,
    col('Controller', 'Controller that is responsible for handling this class'),
    col('Parameters', 'A reference to a resource with additional parameters'),
    AGE,
  ],
  cells(obj, now) {
    const s = spec<{ controller?: string; parameters?: { kind: string; apiGroup?: string; name: string } }>(
      obj,
    );
    const p = s.parameters;
    const parameters = p ? `${p.kind}${p.apiGroup ? `.${p.apiGroup}` : ''}/${p.name}` : '<none>';
    return [obj.metadata.name, s.controller ?? '', parameters, age(obj, now)];
  },
};

export const priorityClassPrinter: Printer = {
  columns: [
    NAME,
    col('Value', 'value represents the integer value of this priority class.', { type: 'integer' }),
    col(
      'Global-Default',
      'globalDefault specifies whether this PriorityClass should be considered as the default priority for pods that do not have any priority class.',
      { type: 'boolean' },
    ),
    AGE,
    col('PreemptionPolicy', 'preemptionPolicy is the Policy for preempting pods with lower priority.'),
  ],
  cells: (obj, now) => [
    obj.metadata.name,
    (obj.value as number | undefined) ?? 0,
    (obj.globalDefault as boolean | undefined) ?? false,
    age(obj, now),
    (obj.preemptionPolicy as string | undefined) ?? '',
  ],
};

interface PrinterColumn {
  name: string;
  type: string;
  jsonPath: string;
  priority?: number;
  format?: string;
  description?: string;
}

/**
 * The values at a printer column's JSONPath: dotted fields and `[?(@.field=="value")]` filters, the forms
 * CRD authors use (cert-manager's Ready column). Not k8s.io/client-go/util/jsonpath in full.
 */
export function columnValues(obj: unknown, path: string): unknown[] {
  let values: unknown[] = [obj];
  const steps = path.match(/\.[A-Za-z0-9_-]+|\[\?\(@\.[A-Za-z0-9_-]+=="[^"]*"\)\]/g) ?? [];
  for (const step of steps) {
    const filter = /^\[\?\(@\.([A-Za-z0-9_-]+)=="([^"]*)"\)\]$/.exec(step);
    values = values.flatMap((v): unknown[] => {
      if (filter) {
        const [, key = '', want] = filter;
        return Array.isArray(v) ? v.filter((e) => (e as Record<string, unknown>)?.[key] === want) : [];
      }
      const field = (v as Record<string, unknown> | null)?.[step.slice(1)];
      return field === undefined ? [] : [field];
    });
  }
  return values;
}

/** apiextensions-apiserver's tableconvertor: Name, then the CRD's columns; dates print as an age. */
export function customResourcePrinter(columns: readonly PrinterColumn[]): Printer {
  return {
    columns: [
      { ...NAME, description: NAME_DESCRIPTION },
      ...columns.map((c) =>
        col(c.name, c.description ?? '', {
          type: c.type as 'string',
          format: c.format ?? '',
          priority: c.priority ?? 0,
        }),
      ),
    ],
    cells(obj: KubeObject, now: number) {
      return [
        obj.metadata.name,
        ...columns.map((c) => {
          const [value] = columnValues(obj, c.jsonPath);
          if (value === undefined || value === null) return null;
          if (c.type === 'date') return typeof value === 'string' ? since(value, now) : null;
          if (c.type === 'string') return typeof value === 'string' ? value : JSON.stringify(value);
          return value;
        }),
      ];
    },
  };
}
