import path from 'node:path';

/** Where things live under a lake root. Every path marketlake builds goes through here. */
export class LakeLayout {
  constructor(readonly root: string) {}

  /** Staging area for files not yet committed (ignored by Spark/Hive: it starts with `_`). */
  get stagingRoot(): string {
    return path.join(this.root, '_staging');
  }

  /** Staging folder of one write; named after the dataset so vacuum knows whose lease guards it. */
  stagingDir(dataset: string, writeId: string): string {
    return path.join(this.stagingRoot, `${dataset}--${writeId}`);
  }

  /**
   * Folder of an import's decompressed copies: no lease guards it while the import stages, so
   * vacuum only removes an old one (`importCopyPrefix`).
   */
  importCopyDir(dataset: string, importId: string): string {
    return path.join(this.stagingRoot, `${this.importCopyPrefix(dataset)}${importId}`);
  }

  /** Name prefix of a dataset's import-copy folders under the staging root. */
  importCopyPrefix(dataset: string): string {
    return `_import--${dataset}--`;
  }

  /** Folder of a dataset. */
  datasetDir(dataset: string): string {
    return path.join(this.root, dataset);
  }

  /** Relative path (forward slashes) of a new data file. */
  relativeFile(dataset: string, partition: string, fileId: string): string {
    return [dataset, partition, `part-${fileId}.parquet`].filter(Boolean).join('/');
  }

  /** Absolute path of a file given its lake-relative path. */
  absolute(relative: string): string {
    return path.join(this.root, ...relative.split('/'));
  }

  /**
   * A text file listing the absolute paths of the dataset's current files (Delta Lake's
   * "symlink format manifest"), so Trino, Hive and Spark can read the current version without
   * seeing superseded files that retention still keeps.
   */
  manifest(dataset: string): string {
    return path.join(this.datasetDir(dataset), '_symlink_format_manifest', 'manifest');
  }
}
