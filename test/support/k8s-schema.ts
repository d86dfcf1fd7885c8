/**
 * Kubernetes API schema checks for exported objects, with no cluster: kubernetes-models' validators
 * (generated from the Kubernetes OpenAPI schema: types, required fields, enums, formats) plus a walk
 * that rejects every field the API does not define, driven by @kubernetes/client-node's attribute type
 * maps (generated from the same OpenAPI schema) — the OpenAPI schema allows unknown fields, the API
 * server's strict field validation (kubectl's default since 1.27) does not: `readinesProbe` must fail.
 */
import * as k8s from '@kubernetes/client-node';
import { Deployment, StatefulSet } from 'kubernetes-models/apps/v1';
import { ConfigMap, PersistentVolumeClaim, Secret, Service } from 'kubernetes-models/v1';

interface Validatable {
  validate(): void;
}

const MODELS: Record<string, { type: string; build: (object: Record<string, unknown>) => Validatable }> = {
  Deployment: { type: 'V1Deployment', build: (o) => new Deployment(o as ConstructorParameters<typeof Deployment>[0]) },
  StatefulSet: { type: 'V1StatefulSet', build: (o) => new StatefulSet(o as ConstructorParameters<typeof StatefulSet>[0]) },
  Service: { type: 'V1Service', build: (o) => new Service(o as ConstructorParameters<typeof Service>[0]) },
  Secret: { type: 'V1Secret', build: (o) => new Secret(o as ConstructorParameters<typeof Secret>[0]) },
  ConfigMap: { type: 'V1ConfigMap', build: (o) => new ConfigMap(o as ConstructorParameters<typeof ConfigMap>[0]) },
  PersistentVolumeClaim: { type: 'V1PersistentVolumeClaim', build: (o) => new PersistentVolumeClaim(o as ConstructorParameters<typeof PersistentVolumeClaim>[0]) },
};

interface Attribute {
  baseName: string;
  type: string;
}

type ModelClass = { getAttributeTypeMap(): Attribute[] };

function modelClass(type: string): ModelClass | undefined {
  const candidate = (k8s as unknown as Record<string, unknown>)[type];
  return typeof candidate === 'function' && 'getAttributeTypeMap' in candidate ? (candidate as unknown as ModelClass) : undefined;
}

/** Every schema problem of one object, as `Kind/name: path: message`. */
export function schemaProblems(object: { kind?: string; metadata?: { name?: string } }): string[] {
  const where = `${object.kind ?? '?'}/${object.metadata?.name ?? '?'}`;
  const model = MODELS[object.kind ?? ''];
  if (!model) return [`${where}: kind not checked here`];
  const problems: string[] = [];
  try {
    // A plain copy: the model must see exactly what the YAML says.
    model.build(JSON.parse(JSON.stringify(object)) as Record<string, unknown>).validate();
  } catch (error) {
    problems.push(`${where}: ${(error as Error).message}`);
  }
  walk(JSON.parse(JSON.stringify(object)) as unknown, model.type, '', (path, message) => problems.push(`${where}: ${path || '/'}: ${message}`));
  return problems;
}

function walk(value: unknown, type: string, path: string, report: (path: string, message: string) => void): void {
  if (value === undefined || value === null || type === 'any') return;
  const array = /^Array<(.+)>$/.exec(type);
  if (array) {
    if (!Array.isArray(value)) return report(path, `expected a list (${type})`);
    value.forEach((item, index) => walk(item, array[1]!, `${path}/${index}`, report));
    return;
  }
  const map = /^\{ \[key: string\]: (.+); \}$/.exec(type);
  if (map) {
    if (typeof value !== 'object' || Array.isArray(value)) return report(path, `expected a map (${type})`);
    for (const [key, item] of Object.entries(value)) walk(item, map[1]!, `${path}/${key}`, report);
    return;
  }
  switch (type) {
    case 'string':
    case 'Date':
      if (typeof value !== 'string') report(path, `expected a string, got ${JSON.stringify(value)}`);
      return;
    case 'number':
      if (typeof value !== 'number') report(path, `expected a number, got ${JSON.stringify(value)}`);
      return;
    case 'boolean':
      if (typeof value !== 'boolean') report(path, `expected a boolean, got ${JSON.stringify(value)}`);
      return;
    case 'IntOrString':
      if (typeof value !== 'number' && typeof value !== 'string') report(path, `expected a number or a string, got ${JSON.stringify(value)}`);
      return;
  }
  const model = modelClass(type);
  if (!model) return report(path, `no schema for type ${type}`);
  if (typeof value !== 'object' || Array.isArray(value)) return report(path, `expected an object (${type})`);
  const attributes = model.getAttributeTypeMap();
  for (const [key, item] of Object.entries(value)) {
    const attribute = attributes.find((a) => a.baseName === key);
    if (!attribute) report(`${path}/${key}`, `unknown field "${key}" (not in ${type})`);
    else walk(item, attribute.type, `${path}/${key}`, report);
  }
}
