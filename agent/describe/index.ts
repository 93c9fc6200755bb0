export { DESCRIBABLE_RESOURCES, type DescribeResult, describe } from './describe.js';
export { isApiError, type KubeReader, kubeReaderOf } from './kube-reader.js';
