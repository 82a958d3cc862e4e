import { accessSync, constants, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import { messageOf, newSortableId } from '../core/index.js';
import type { Dataset } from './dataset-spec.js';
import { scanCsvLines } from './csv-lines.js';
import { findDuplicateKeys, markDuplicates } from './duplicate-keys.js';
import { LakeDuplicateKeysError, LakeImportFileError, LakeImportRejectedError } from './errors.js';
import type { LakeContext } from './lake-context.js';
import { addQuarantined, type QuarantinedRow } from './quarantine.js';
import { ident, text } from './sql.js';
import { rejectedRows, stageFile, type SourceInfo, type SourceReadOptions } from './stage-file.js';
import type { CommitGuard } from './catalog.js';
import { commitStaged, type WriteMode, type WriteResult } from './write-commit.js';

export type { ImportFormat } from './stage-file.js';

/** Options of an import (CLI: `marketlake lake import`). */
export interface ImportOptions extends SourceReadOptions {
  /** Fail (commit nothing) when more rows than this are quarantined. */
  maxBadRows?: number;
  mode?: WriteMode;
  writer?: string;
  /** Checked inside the commit transaction (see CommitGuard). */
  commitGuard?: CommitGuard;
  onProgress?: (event: ImportProgress) => void;
}

/** Progress of an import, for progress bars. */
export interface ImportProgress {
  phase: 'read' | 'write';
  done: number;
  total: number;
  file?: string;
}

/** What an import did. */
export interface ImportResult {
  importId: string;
  dataset: string;
  version: number;
  rowsImported: number;
  rowsQuarantined: number;
  /** Lake files the commit added. */
  files: string[];
  /** The source files. */
  sources: string[];
  /** The first quarantined rows (all of them are stored; `marketlake quarantine` lists them). */
  quarantined: QuarantinedRow[];
}

/** Maps a row's position among accepted rows to its line in the file: the scanned line, else counted past rejected lines. */
function lineOf(info: SourceInfo, rowIndex: number): number | null {
  if (info.format === 'parquet') return rowIndex;
  const scanned = info.lines?.accepted.get(rowIndex);
  if (scanned !== undefined) return scanned;
  let line = rowIndex + info.headerLines;
  for (const r of info.rejectedLines) if (r <= line) line++;
  return line;
}

/**
 * Imports CSV or Parquet files into a dataset in one commit. Rows that do not parse or break the
 * schema are quarantined with file, line, original text and reason; the good rows land; the
 * source files are only read. Importing the same rows again upserts them (no duplicates).
 */
export async function importFiles(
  ctx: LakeContext,
  dataset: Dataset,
  files: readonly string[],
  options: ImportOptions = {},
): Promise<ImportResult> {
  if (files.length === 0)
    throw new LakeImportFileError('No file to import: name at least one CSV or Parquet file.');
  const sources = files.map((f) => path.resolve(f));
  for (const file of sources) {
    try {
      accessSync(file, constants.R_OK);
      if (!statSync(file).isFile()) throw new Error('not a regular file');
    } catch (err) {
      throw new LakeImportFileError(
        `Cannot read ${file}: ${messageOf(err)}. Check the path and its permissions.`,
        { cause: err, details: { file } },
      );
    }
  }
  const importId = newSortableId('imp_');
  // Decompressed copies of gzip CSV files, read instead of them (see `gunzipCopy`).
  const copies = ctx.layout.importCopyDir(dataset.name, importId);
  try {
    return await importStaged(ctx, dataset, sources, importId, copies, options);
  } finally {
    rmSync(copies, { recursive: true, force: true });
  }
}

async function importStaged(
  ctx: LakeContext,
  dataset: Dataset,
  sources: string[],
  importId: string,
  copies: string,
  options: ImportOptions,
): Promise<ImportResult> {
  return ctx.engine.withConnection(async (conn) => {
    const table = `_import_${importId}`;
    const infos: SourceInfo[] = [];
    let offset = 0;
    for (const [i, file] of sources.entries()) {
      options.onProgress?.({ phase: 'read', done: i, total: sources.length, file });
      // Files are staged into one table, so with several each keeps every column.
      const info = await stageFile(conn, dataset, file, copies, i, offset, table, options, {
        omitConstant: sources.length === 1,
      });
      infos.push(info);
      offset += info.rows;
    }
    options.onProgress?.({ phase: 'read', done: sources.length, total: sources.length });
    const locate = (
      ord: number,
    ): { info: SourceInfo; line: number | null; raw: string | undefined } => {
      const info =
        infos.find((s) => ord > s.offset && ord <= s.offset + s.rows) ?? infos[infos.length - 1]!;
      const index = ord - info.offset;
      return { info, line: lineOf(info, index), raw: info.lines?.text.get(index) };
    };
    /** The staged table's bad rows: ordinal (`rowid + 1`), reason and rebuilt text. */
    const readBad = async (): Promise<{ ord: number; reason: string; raw: string }[]> =>
      (
        await conn.runAndReadAll(
          `SELECT rowid + 1 AS _ord, _reason, _raw FROM ${ident(table)} WHERE _reason IS NOT NULL ORDER BY rowid`,
        )
      )
        .getRowObjectsJson()
        .map((r) => ({ ord: Number(r['_ord']), reason: text(r['_reason']), raw: text(r['_raw']) }));
    /** Quarantine entries of bad rows, once the scan has found their lines. */
    const entries = (rows: readonly { ord: number; reason: string; raw: string }[]) =>
      rows.map((r): QuarantinedRow => {
        const { info, line, raw } = locate(r.ord);
        return {
          dataset: dataset.name,
          importId,
          sourceFile: info.file,
          line,
          // The file's own text where the scan found the row; typed columns only have values.
          raw: raw ?? r.raw,
          reason: r.reason,
        };
      });
    const bad = await readBad();
    // Running this scan during the partition writes gained nothing on two cores (measured).
    await scanBadLines(
      infos,
      bad.map((r) => r.ord),
    );

    const quarantined: QuarantinedRow[] = [];
    for (const info of infos) {
      for (const r of await rejectedRows(conn, info, dataset)) {
        quarantined.push({
          dataset: dataset.name,
          importId,
          sourceFile: info.file,
          line: info.lines?.rejected.get(r.line) ?? r.line,
          raw: r.raw,
          reason: r.reason,
        });
      }
    }
    const byPlace = (a: QuarantinedRow, b: QuarantinedRow): number =>
      a.sourceFile.localeCompare(b.sourceFile) || (a.line ?? 0) - (b.line ?? 0);
    quarantined.push(...entries(bad));
    quarantined.sort(byPlace);
    const rowsStaged = infos.reduce((n, info) => n + info.rows, 0);
    let good = rowsStaged - bad.length;

    const fingerprint = sources
      .map((f) => `${statSync(f).size}:${Math.round(statSync(f).mtimeMs)}`)
      .join(',');
    await ctx.store.db
      .insertInto('imports')
      .values({
        id: importId,
        dataset: dataset.name,
        source_file: sources.join(','),
        fingerprint,
        version: null,
        rows_imported: 0,
        rows_quarantined: quarantined.length,
        created_at: new Date().toISOString(),
      })
      .execute();
    await addQuarantined(ctx.store, quarantined);
    const checkBadRows = (): void => {
      const sample = quarantined
        .slice(0, 3)
        .map((q) => `${path.basename(q.sourceFile)}:${q.line ?? '?'}: ${q.reason}`)
        .join('; ');
      if (good === 0) {
        throw new LakeImportRejectedError(
          `Nothing imported into ${dataset.name}: ${quarantined.length} row(s) quarantined and none accepted (${sample || 'the files hold no data rows'}). See \`marketlake quarantine --import ${importId}\`.`,
          { details: { importId, rowsQuarantined: quarantined.length } },
        );
      }
      if (options.maxBadRows !== undefined && quarantined.length > options.maxBadRows) {
        throw new LakeImportRejectedError(
          `Import into ${dataset.name} stopped: ${quarantined.length} bad rows exceed --max-bad-rows ${options.maxBadRows} (${sample}). Nothing was committed; fix the file or raise the limit. See \`marketlake quarantine --import ${importId}\`.`,
          {
            details: {
              importId,
              rowsQuarantined: quarantined.length,
              maxBadRows: options.maxBadRows,
            },
          },
        );
      }
    };
    /**
     * Quarantines every row of a key the file repeats, found when the commit checks its files (an
     * import cannot tell which copy is right); false when the staged rows repeat no key.
     */
    const quarantineDuplicates = async (): Promise<boolean> => {
      const dups = await findDuplicateKeys(conn, dataset, table);
      if (dups.length === 0) return false;
      const ords = dups.flatMap((d) => d.ordinals);
      await scanBadLines(infos, ords);
      await markDuplicates(
        conn,
        dataset,
        table,
        dups,
        (ord) => {
          const { info, line } = locate(ord);
          return `${path.basename(info.file)}:${line ?? '?'}`;
        },
        infos[0]?.columnSql,
      );
      const marked = new Set(ords);
      const rows = entries((await readBad()).filter((r) => marked.has(r.ord)));
      await addQuarantined(ctx.store, rows);
      quarantined.push(...rows);
      quarantined.sort(byPlace);
      good -= rows.length;
      await ctx.store.db
        .updateTable('imports')
        .set({ rows_quarantined: quarantined.length })
        .where('id', '=', importId)
        .execute();
      return true;
    };
    checkBadRows();
    try {
      const commit = (): Promise<WriteResult> =>
        commitStaged(ctx, conn, dataset, table, {
          mode: options.mode ?? 'append',
          writer: options.writer ?? 'import',
          operation: 'import',
          commitGuard: options.commitGuard,
          columnSql: infos[0]?.columnSql,
          onProgress: (done, total) => options.onProgress?.({ phase: 'write', done, total }),
        });
      let result: WriteResult;
      try {
        result = await commit();
      } catch (err) {
        if (!(err instanceof LakeDuplicateKeysError) || !(await quarantineDuplicates())) throw err;
        checkBadRows();
        result = await commit();
      }
      await ctx.store.db
        .updateTable('imports')
        .set({ version: result.version, rows_imported: result.rowsWritten })
        .where('id', '=', importId)
        .execute();
      return {
        importId,
        dataset: dataset.name,
        version: result.version,
        rowsImported: result.rowsWritten,
        rowsQuarantined: quarantined.length,
        files: result.filesAdded,
        sources,
        quarantined: quarantined.slice(0, 100),
      };
    } finally {
      await conn.run(`DROP TABLE IF EXISTS ${ident(table)}`);
    }
  });
}

/**
 * Finds the physical lines of the rows an import will quarantine, for CSV files that have any:
 * counting rows is off after an empty line or a quoted line break (see `scanCsvLines`). A gzip
 * file's copy was indexed while it was written (`LineIndex`), which spares the scan when each
 * record is one line.
 */
async function scanBadLines(infos: SourceInfo[], ords: readonly number[]): Promise<void> {
  for (const info of infos) {
    if (info.format !== 'csv') continue;
    const wanted = new Set(
      ords
        .filter((o) => o > info.offset && o <= info.offset + info.rows)
        .map((o) => o - info.offset),
    );
    // DuckDB numbers rejected lines right (empty lines included) until a record spans lines.
    if (wanted.size === 0 && (info.rejectedLines.length === 0 || !info.spansLines)) continue;
    const query = {
      quote: info.quote,
      headerLines: info.headerLines,
      wanted,
      rejectedLines: info.rejectedLines,
      records: info.rows + info.rejectedLines.length,
    };
    info.lines =
      (await info.lineIndex?.lines(info.readPath, query)) ??
      (await scanCsvLines(info.readPath, query));
  }
}
