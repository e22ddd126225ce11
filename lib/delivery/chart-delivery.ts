import { IConstruct } from 'constructs';
import { ChartDeliveryMode } from '../spec';
import { ChartRelease, ManifestSource } from './release';

/**
 * What every delivery construct takes: the releases and manifest sources of one cluster, in
 * apply order (as `DeliveryRegistry` returns them).
 */
export interface ChartDeliverySourcesProps {
  /** Helm releases to deliver, in apply order. */
  readonly releases: readonly ChartRelease[];
  /**
   * Plain manifests from git (e.g. the Gateway API CRDs), in apply order.
   * @default - none
   */
  readonly manifestSources?: readonly ManifestSource[];
}

/** A construct that turns a cluster's releases into objects of one delivery mode. */
export interface IChartDelivery extends IConstruct {
  /** The mode this construct implements. */
  readonly mode: ChartDeliveryMode;
}
