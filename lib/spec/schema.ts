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
  GatewayServiceType,
  IssuerKind,
  IstioDistribution,
  KeyAlgorithm,
} from './choices';
import { ArgoCdTopology, GitOpsEngine } from './gitops';
import { CLUSTER_OVERRIDES_SCHEMA } from './overrides';

const text = { type: 'string', minLength: 1 } as const;
const port = { type: 'integer', minimum: 1, maximum: 65535 } as const;

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
          istioCni: { type: 'boolean' },
          ingressGateways: {
            type: 'array',
            items: {
              type: 'object',
              additionalProperties: false,
              required: ['name'],
              properties: {
                name: text,
                namespace: text,
                serviceType: { type: 'string', enum: GatewayServiceType.values() },
                ports: {
                  type: 'array',
                  minItems: 1,
                  items: {
                    type: 'object',
                    additionalProperties: false,
                    required: ['name', 'port'],
                    properties: { name: text, port, targetPort: port },
                  },
                },
              },
            },
          },
          spireBundleEndpointAddress: text,
          argoCdDestination: {
            type: 'object',
            additionalProperties: false,
            properties: { server: text, name: text },
          },
          overrides: CLUSTER_OVERRIDES_SCHEMA,
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
            externalSecret: {
              type: 'object',
              additionalProperties: false,
              required: ['remoteKey'],
              properties: { remoteKey: text, property: text, clusterSecretStore: text },
            },
          },
        },
      },
    },
    spire: {
      type: 'object',
      additionalProperties: false,
      properties: { chartVersion: text, crdsChartVersion: text, version: text, caTtl: text },
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
            rootSecretStore: text,
            istiodCaDuration: text,
            istiodCaRenewBefore: text,
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
        operatorChartVersion: text,
      },
    },
    federation: {
      type: 'object',
      additionalProperties: false,
      properties: {
        relations: {
          type: 'array',
          items: {
            type: 'object',
            additionalProperties: false,
            required: ['trustDomain', 'federatesWith'],
            properties: { trustDomain: text, federatesWith: text },
          },
        },
        bundleRefreshHint: text,
        bundleEndpointServiceType: { type: 'string', enum: GatewayServiceType.values() },
      },
    },
    remoteSecretStore: text,
    allowUnlistedVersions: { type: 'boolean' },
    gitops: {
      type: 'object',
      additionalProperties: false,
      required: ['repository'],
      properties: {
        repository: text,
        revision: text,
        pathPrefix: text,
        engine: { type: 'string', enum: GitOpsEngine.values() },
        argoCdTopology: { type: 'string', enum: ArgoCdTopology.values() },
        secretName: text,
      },
    },
  },
} as const;
