/**
 * The Kubernetes objects the export writes, typed with @kubernetes/client-node's API types (type-only:
 * nothing of that package is loaded at run time), so a misspelt field such as `readinesProbe` is a
 * compile error in the exporter, not a manifest a cluster rejects.
 */
import type { V1ConfigMap, V1Deployment, V1PersistentVolumeClaim, V1Secret, V1Service, V1StatefulSet } from '@kubernetes/client-node';

export type K8sObject =
  | (V1Deployment & { apiVersion: 'apps/v1'; kind: 'Deployment' })
  | (V1StatefulSet & { apiVersion: 'apps/v1'; kind: 'StatefulSet' })
  | (V1Service & { apiVersion: 'v1'; kind: 'Service' })
  | (V1Secret & { apiVersion: 'v1'; kind: 'Secret' })
  | (V1ConfigMap & { apiVersion: 'v1'; kind: 'ConfigMap' })
  | (V1PersistentVolumeClaim & { apiVersion: 'v1'; kind: 'PersistentVolumeClaim' });

/** Labels every object carries; the pod selector is `name` + `part-of`. */
export function labelsFor(stack: string, service?: string): Record<string, string> {
  return {
    ...(service !== undefined ? { 'app.kubernetes.io/name': service } : {}),
    'app.kubernetes.io/part-of': stack,
    'app.kubernetes.io/managed-by': 'stackctl',
  };
}

export function selectorFor(stack: string, service: string): Record<string, string> {
  return { 'app.kubernetes.io/name': service, 'app.kubernetes.io/part-of': stack };
}

/** A DNS-1123 label (lowercase alphanumerics and '-', at most 63) made from any name. */
export function dnsLabel(name: string): string {
  const label = name
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 63)
    .replace(/-+$/, '');
  return label === '' ? 'x' : label;
}

/** An IANA_SVC_NAME for a port: at most 15 characters, with a letter. */
export function portName(protocol: 'tcp' | 'udp', port: number): string {
  return `${protocol}-${port}`;
}
