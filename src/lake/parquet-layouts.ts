import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { parquetMetadata } from 'hyparquet';
import type { Dataset } from './dataset-spec.js';
import { MS_PER_DAY } from '../core/index.js';
import type { TypeSpec } from './direct-types.js';
import type { ChunkLocation } from './parquet-chunk.js';
import { UnsupportedParquetError, type RawValue } from './parquet-values.js';

/** One row group: its column chunks, and the min/max of the key column when the footer has them. */
export interface RowGroupLayout {
  chunks: ChunkLocation[];
  keyMin: RawValue | undefined;
  keyMax: RawValue | undefined;
}

/** What the reader keeps of one file's footer: where each column chunk lies, and key bounds. */
export interface FileLayout {
  groups: RowGroupLayout[];
}

/** A footer statistic in the column's raw domain (dates as day numbers); undefined if not comparable. */
function statValue(type: TypeSpec, v: unknown): RawValue | undefined {
  if (v instanceof Date) {
    const t = v.getTime();
    return type.converted === 'DATE' && Number.isFinite(t) ? t / MS_PER_DAY : undefined;
  }
  if (type.converted === 'DATE' || type.converted === 'TIMESTAMP_MICROS') return undefined;
  if (typeof v === 'string' && type.physical === 'BYTE_ARRAY') return v;
  if (typeof v === 'number' && (type.physical === 'DOUBLE' || type.physical === 'INT32')) return v;
  if (typeof v === 'bigint' && type.physical === 'INT64') return v;
  return undefined;
}

/** `length` bytes of the file at `position`. */
export function readRange(fd: number, length: number, position: number): Buffer {
  const buf = Buffer.allocUnsafe(length);
  let done = 0;
  while (done < length) {
    const n = readSync(fd, buf, done, length - done, position + done);
    if (n === 0) throw new UnsupportedParquetError('file shorter than its footer says');
    done += n;
  }
  return buf;
}

/**
 * Footers of lake files, parsed once and kept as layouts (files never change once committed, so
 * nothing needs invalidating); the oldest entry goes when `maxFiles` are held.
 */
export class LayoutCache {
  private readonly files = new Map<string, FileLayout>();

  constructor(private readonly maxFiles: number) {}

  /**
   * The layout of `file` with min/max of column `key`, from its footer the first time; throws
   * when the file's columns are not the dataset's, stored as `types` say.
   */
  get(file: string, dataset: Dataset, types: readonly TypeSpec[], key: number): FileLayout {
    const cacheKey = `${file}\0${key}`;
    const cached = this.files.get(cacheKey);
    if (cached) return cached;
    const fd = openSync(file, 'r');
    let footer: Buffer;
    try {
      const size = fstatSync(fd).size;
      const tail = readRange(fd, 8, size - 8);
      const length = tail.readUInt32LE(0);
      footer = readRange(fd, length + 8, size - 8 - length);
    } finally {
      closeSync(fd);
    }
    const meta = parquetMetadata(footer);
    const leaves = meta.schema.slice(1);
    if (leaves.length !== dataset.columns.length || meta.schema[0]?.num_children !== leaves.length)
      throw new UnsupportedParquetError('columns differ from the dataset');
    const maxDefinition: number[] = [];
    dataset.columns.forEach((c, i) => {
      const leaf = leaves[i]!;
      const type = types[i]!;
      const converted =
        leaf.converted_type === 'INT_32' || leaf.converted_type === 'INT_64'
          ? undefined
          : leaf.converted_type;
      if (leaf.name !== c.name || leaf.type !== type.physical || converted !== type.converted)
        throw new UnsupportedParquetError(`column ${c.name} is stored differently`);
      if (leaf.repetition_type === 'REPEATED') throw new UnsupportedParquetError('repeated column');
      maxDefinition.push(leaf.repetition_type === 'OPTIONAL' ? 1 : 0);
    });
    const keyType = types[key]!;
    const groups = meta.row_groups.map((g): RowGroupLayout => {
      const rows = Number(g.num_rows);
      const chunks = g.columns.map((c, i): ChunkLocation => {
        const m = c.meta_data;
        if (!m || c.file_path) throw new UnsupportedParquetError('column chunk elsewhere');
        const start = Number(m.dictionary_page_offset ?? m.data_page_offset);
        return {
          start,
          length: Number(m.total_compressed_size),
          codec: m.codec,
          physical: types[i]!.physical,
          maxDefinition: maxDefinition[i]!,
          rows,
        };
      });
      const stats = g.columns[key]?.meta_data?.statistics;
      return {
        chunks,
        keyMin: statValue(keyType, stats?.min_value),
        keyMax: statValue(keyType, stats?.max_value),
      };
    });
    const layout = { groups };
    if (this.files.size >= this.maxFiles) this.files.delete(this.files.keys().next().value!);
    this.files.set(cacheKey, layout);
    return layout;
  }
}
