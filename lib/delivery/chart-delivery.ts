import { IConstruct } from 'constructs';
import { ChartRelease, ManifestSource } from '../core/delivery';
import { ChartDeliveryMode } from '../spec';

/**
 * The construct of one delivery mode (Argo CD, Flux, helm template, Gloo Operator): it turns
 * each release and manifest source into that mode's objects as soon as it is added.
 * `ChartDeliveryComponent` checks ids and pinning before it calls these, and keeps the list.
 */
export interface IChartDelivery extends IConstruct {
  /** The mode this construct implements. */
  readonly mode: ChartDeliveryMode;
  /** Creates the objects that deliver `release`. */
  addRelease(release: ChartRelease): void;
  /** Creates the objects that deliver `source` (or records how to apply it by hand). */
  addManifestSource(source: ManifestSource): void;
}

/** The releases of the cluster in apply order, read when objects are rendered (Flux `dependsOn`, operator values). */
export type OrderedReleases = () => readonly ChartRelease[];
