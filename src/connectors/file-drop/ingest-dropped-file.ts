import { existsSync, statSync } from 'node:fs';
import { copyFile, mkdir, rename, rm, unlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { MarketlakeError, messageOf, newSortableId } from '../../core/index.js';
import type { ImportOptions, Lake, QuarantinedRow } from '../../lake/index.js';
import { ConnectorFileRejectedError } from '../errors.js';
import { storedActions } from '../sdk/run-connector.js';
import type { AdjustmentEvent } from '../sdk/unadjust.js';
import { mappedColumns, normalizeFile, readSource } from './normalize.js';
import { readHeader } from './read-records.js';
import { formatOf, needsTransform, type VendorMapping } from './vendor-mapping.js';

/** Where a dropped file goes and who writes. */
export interface IngestOptions {
  /** Archive root (default `<folder of the file>/archive`); originals land in `YYYY/MM/DD/`. */
  archiveDir?: string;
  /** Failure folder (default `<folder of the file>/failed`). */
  failedDir?: string;
  /** The clock (archive date, `ingested_at`). */
  now?: () => Date;
  /** Recorded as the writer of the lake version (default `file-drop:<vendor>`). */
  writer?: string;
  /**
   * The file is already where it is kept: an `inbox()` sensor archived it before handing it to
   * the asset, and moves it to `failed/` itself when the run fails. Import it without moving it.
   */
  inPlace?: boolean;
}

/** What ingesting one dropped file did. */
export interface IngestResult {
  vendor: string;
  dataset: string;
  /** Where the file was dropped. */
  file: string;
  /** The original, archived. */
  archivedPath: string;
  /** The normalized copy beside it, when the mapping needed marketlake's own pass. */
  normalizedPath?: string;
  importId: string;
  version: number;
  rowsImported: number;
  rowsQuarantined: number;
  /** The first quarantined rows (file, line, raw text, reason); `marketlake quarantine` has all. */
  quarantined: QuarantinedRow[];
  /** Bars whose vendor adjustment was undone. */
  rowsUnadjusted: number;
}

async function unique(dir: string, name: string): Promise<string> {
  await mkdir(dir, { recursive: true });
  let target = path.join(dir, name);
  if (existsSync(target)) {
    const ext = /(\.[a-z]+)?(\.gz)?$/i.exec(name)?.[0] ?? '';
    target = path.join(
      dir,
      `${name.slice(0, name.length - ext.length)}.${newSortableId('')}${ext}`,
    );
  }
  return target;
}

/** Moves a file, copying across file systems (an inbox on another mount than the archive). */
async function move(from: string, to: string): Promise<void> {
  try {
    await rename(from, to);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EXDEV') throw err;
    await copyFile(from, to);
    await unlink(from);
  }
}

const pad = (n: number): string => String(n).padStart(2, '0');

async function actionsFor(lake: Lake, symbols: string[]): Promise<Map<string, AdjustmentEvent[]>> {
  const out = new Map<string, AdjustmentEvent[]>();
  for (const s of symbols) out.set(s, await storedActions(lake, s));
  return out;
}

/**
 * Ingests one dropped file (CSV, TSV, Parquet or JSON lines, optionally .gz) with a vendor
 * mapping: the original is moved to `archive/YYYY/MM/DD/`, imported with `lake.import` (bad rows
 * quarantined with line numbers, the rest upserted, `source` = `file:<vendor>` unless the mapping
 * sets it). When the import fails, the file goes to `failed/` with `<name>.error.txt` beside it
 * and `CONNECTOR_FILE_REJECTED` is thrown (`cause` is the lake's error).
 */
export async function ingestDroppedFile(
  lake: Lake,
  file: string,
  mapping: VendorMapping,
  options: IngestOptions = {},
): Promise<IngestResult> {
  const dropped = path.resolve(file);
  if (!existsSync(dropped) || !statSync(dropped).isFile())
    throw new ConnectorFileRejectedError(
      `${dropped} is not a file that can be ingested (missing, or a folder).`,
      {
        details: { file: dropped },
      },
    );
  const now = options.now?.() ?? new Date();
  const folder = path.dirname(dropped);
  const name = path.basename(dropped);
  const day = `${now.getUTCFullYear()}/${pad(now.getUTCMonth() + 1)}/${pad(now.getUTCDate())}`;
  const archived =
    options.inPlace === true
      ? dropped
      : await unique(path.join(options.archiveDir ?? path.join(folder, 'archive'), day), name);
  if (archived !== dropped) await move(dropped, archived);
  let normalizedPath: string | undefined;
  try {
    const dataset = await lake.dataset(mapping.dataset);
    const has = (c: string): boolean => dataset.columns.some((d) => d.name === c);
    const constants: Record<string, string> = { ...mapping.constants };
    if (has('source') && constants['source'] === undefined)
      constants['source'] = `file:${mapping.vendor}`;
    if (has('ingested_at') && constants['ingested_at'] === undefined)
      constants['ingested_at'] = now.toISOString().replace('T', ' ').replace('Z', '');
    const m: VendorMapping = { ...mapping, constants };
    const format = formatOf(name, m);
    const writer = options.writer ?? `file-drop:${m.vendor}`;
    let importFile = archived;
    let importOptions: ImportOptions;
    let rowsUnadjusted = 0;
    if (needsTransform(format, m)) {
      normalizedPath = `${archived}.normalized.csv`;
      const source = await readSource(archived, format, m);
      const normalized = await normalizeFile(source, dataset, m, normalizedPath, (symbols) =>
        actionsFor(lake, symbols),
      );
      importFile = normalized.file;
      importOptions = normalized.options;
      rowsUnadjusted = normalized.unadjusted;
    } else {
      if (format !== 'parquet' && m.header) {
        const delimiter = m.delimiter ?? (format === 'tsv' ? '\t' : ',');
        mappedColumns(await readHeader(archived, delimiter, m.quote), dataset, m);
      }
      importOptions = {
        format: format === 'parquet' ? 'parquet' : 'csv',
        header: m.header,
        delimiter: m.delimiter ?? (format === 'tsv' ? '\t' : undefined),
        quote: m.quote,
        map: m.columns,
        constants: m.constants,
        dateFormat: m.dateFormat,
        timestampFormat: m.timestampFormat,
        maxBadRows: m.maxBadRows,
      };
    }
    const result = await lake.import(m.dataset, [importFile], {
      ...importOptions,
      writer,
      mode: 'append',
    });
    return {
      vendor: m.vendor,
      dataset: m.dataset,
      file: dropped,
      archivedPath: archived,
      normalizedPath,
      importId: result.importId,
      version: result.version,
      rowsImported: result.rowsImported,
      rowsQuarantined: result.rowsQuarantined,
      quarantined: result.quarantined,
      rowsUnadjusted,
    };
  } catch (err) {
    if (options.inPlace === true) {
      if (normalizedPath) await rm(normalizedPath, { force: true });
      throw err;
    }
    const failedDir = options.failedDir ?? path.join(folder, 'failed');
    const failed = await unique(failedDir, name);
    await move(archived, failed);
    if (normalizedPath) await rm(normalizedPath, { force: true });
    const code = err instanceof MarketlakeError ? err.code : 'UNKNOWN';
    const errorFile = `${failed}.error.txt`;
    const details = err instanceof MarketlakeError ? err.details : {};
    await writeFile(
      errorFile,
      `file: ${dropped}\nvendor: ${mapping.vendor}\ndataset: ${mapping.dataset}\nat: ${now.toISOString()}\ncode: ${code}\nerror: ${messageOf(err)}\ndetails: ${JSON.stringify(details, null, 2)}\n`,
    );
    throw new ConnectorFileRejectedError(
      `Dropped file ${name} (vendor ${mapping.vendor}) was not ingested: ${messageOf(err)} It was moved to ${failed}; see ${path.basename(errorFile)} beside it, fix the file or the mapping, and drop it again.`,
      { cause: err, details: { file: dropped, failedPath: failed, errorFile, code } },
    );
  }
}
