import { CERTIFICATE_CRD_SPEC } from '../fixtures-troubleshoot.js';
import {
  cronJobPrinter,
  daemonSetPrinter,
  deploymentPrinter,
  hpaPrinter,
  jobPrinter,
  replicaSetPrinter,
  statefulSetPrinter,
} from './apps.js';
import type { Printer } from './column.js';
import {
  configMapPrinter,
  endpointsPrinter,
  eventPrinter,
  namespacePrinter,
  nodePrinter,
  persistentVolumeClaimPrinter,
  persistentVolumePrinter,
  replicationControllerPrinter,
  serviceAccountPrinter,
  servicePrinter,
} from './core.js';
import {
  clusterRoleBindingPrinter,
  defaultPrinter,
  endpointSlicePrinter,
  ingressPrinter,
  leasePrinter,
  networkPolicyPrinter,
  resourceQuotaPrinter,
  roleBindingPrinter,
  storageClassPrinter,
} from './other.js';
import { podPrinter } from './pod.js';
import {
  customResourcePrinter,
  ingressClassPrinter,
  podDisruptionBudgetPrinter,
  priorityClassPrinter,
} from './troubleshoot.js';

export type { Column, Printer, RowCondition } from './column.js';

const PRINTERS: Record<string, Printer> = {
  pods: podPrinter,
  nodes: nodePrinter,
  services: servicePrinter,
  endpoints: endpointsPrinter,
  events: eventPrinter,
  namespaces: namespacePrinter,
  configmaps: configMapPrinter,
  serviceaccounts: serviceAccountPrinter,
  persistentvolumes: persistentVolumePrinter,
  persistentvolumeclaims: persistentVolumeClaimPrinter,
  replicationcontrollers: replicationControllerPrinter,
  deployments: deploymentPrinter,
  replicasets: replicaSetPrinter,
  daemonsets: daemonSetPrinter,
  statefulsets: statefulSetPrinter,
  jobs: jobPrinter,
  cronjobs: cronJobPrinter,
  horizontalpodautoscalers: hpaPrinter,
  ingresses: ingressPrinter,
  networkpolicies: networkPolicyPrinter,
  storageclasses: storageClassPrinter,
  rolebindings: roleBindingPrinter,
  clusterrolebindings: clusterRoleBindingPrinter,
  leases: leasePrinter,
  resourcequotas: resourceQuotaPrinter,
  endpointslices: endpointSlicePrinter,
  poddisruptionbudgets: podDisruptionBudgetPrinter,
  ingressclasses: ingressClassPrinter,
  priorityclasses: priorityClassPrinter,
  certificates: customResourcePrinter(CERTIFICATE_CRD_SPEC.versions[0]?.additionalPrinterColumns ?? []),
};

export function printerFor(resource: string): Printer {
  return PRINTERS[resource] ?? defaultPrinter;
}
