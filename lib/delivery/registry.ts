import { ChartRelease, ManifestSource } from './release';

/**
 * The chart releases and manifest sources of one cluster. Components add what they need; the
 * cluster's chart-delivery component turns the list into objects. Ids are unique: adding the
 * same id twice is an error (two components would fight over one release).
 */
export class DeliveryRegistry {
  private readonly releaseById = new Map<string, ChartRelease>();
  private readonly sourceById = new Map<string, ManifestSource>();

  public addRelease(release: ChartRelease): void {
    if (this.releaseById.has(release.id) || this.sourceById.has(release.id)) {
      throw new Error(`chart release '${release.id}' is declared twice: give each release its own id`);
    }
    this.releaseById.set(release.id, release);
  }

  public addManifestSource(source: ManifestSource): void {
    if (this.sourceById.has(source.id) || this.releaseById.has(source.id)) {
      throw new Error(`manifest source '${source.id}' is declared twice: give each source its own id`);
    }
    this.sourceById.set(source.id, source);
  }

  /** Removes a release (e.g. to deliver it another way); returns whether it existed. */
  public removeRelease(id: string): boolean {
    return this.releaseById.delete(id);
  }

  /** Removes a manifest source; returns whether it existed. */
  public removeManifestSource(id: string): boolean {
    return this.sourceById.delete(id);
  }

  /** Releases in apply order (then by id, so equal orders are stable). */
  public get releases(): ChartRelease[] {
    return [...this.releaseById.values()].sort((a, b) => a.order - b.order || (a.id < b.id ? -1 : 1));
  }

  /** Manifest sources in apply order. */
  public get manifestSources(): ManifestSource[] {
    return [...this.sourceById.values()].sort((a, b) => a.order - b.order || (a.id < b.id ? -1 : 1));
  }
}
