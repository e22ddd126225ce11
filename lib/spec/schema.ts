/**
 * JSON Schema of the mesh spec document. It is the one schema for both entry points: YAML
 * inventories are validated against it directly, TypeScript props after conversion.
 * Choice values come from the enum-like classes in `choices.ts`, so the two never drift.
 */
import {
  CaDeliveryMode,
  ChartDeliveryMode,
  DataplaneMode,
  EastWestServiceType,
  IssuerKind,
  IstioDistribution,
  KeyAlgorithm,
} from './choices';

const text = { type: 'string', minLength: 1 } as const;

export const MESH_SPEC_SCHEMA = {
  $id: 'https://spiremesh.dev/schemas/mesh-spec.json',
  type: 'object',
  additionalProperties: false,
  required: ['name', 'clusters'],
  properties: {
    name: text,
    clusters: {
      type: 'array',
      minItems: 1,
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['name'],
        properties: {
          name: text,
          context: text,
          trustDomain: text,
          network: text,
          dataplaneMode: { type: 'string', enum: DataplaneMode.values() },
          eastWestAddress: text,
          eastWestServiceType: { type: 'string', enum: EastWestServiceType.values() },
          istioVersion: text,
          istioRevision: text,
          region: text,
          zone: text,
        },
      },
    },
    links: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['from', 'to'],
        properties: { from: text, to: text },
      },
    },
    istio: {
      type: 'object',
      additionalProperties: false,
      properties: {
        distribution: { type: 'string', enum: IstioDistribution.values() },
        version: text,
        repoKey: text,
        license: {
          type: 'object',
          additionalProperties: false,
          properties: {
            secretName: text,
            secretNamespace: text,
            value: text,
            allowInlineValue: { type: 'boolean' },
          },
        },
      },
    },
    spire: {
      type: 'object',
      additionalProperties: false,
      properties: { chartVersion: text, crdsChartVersion: text, version: text },
    },
    pki: {
      type: 'object',
      additionalProperties: false,
      properties: {
        keyAlgorithm: { type: 'string', enum: KeyAlgorithm.values() },
        keyDirectory: text,
        certificateDirectory: text,
        delivery: {
          type: 'object',
          additionalProperties: false,
          required: ['mode'],
          properties: {
            mode: { type: 'string', enum: CaDeliveryMode.values() },
            clusterSecretStore: text,
            remoteKeyPrefix: text,
            outputDirectory: text,
            issuerName: text,
            issuerKind: { type: 'string', enum: IssuerKind.values() },
          },
        },
      },
    },
    chartDelivery: {
      type: 'object',
      additionalProperties: false,
      required: ['mode'],
      properties: {
        mode: { type: 'string', enum: ChartDeliveryMode.values() },
        namespace: text,
        project: text,
        helmExecutable: text,
        chartCacheDirectory: text,
      },
    },
    allowUnlistedVersions: { type: 'boolean' },
  },
} as const;
