import { defineConfig } from 'marketlake';

// The demo project `npm start` runs: embedded mode (SQLite metadata, DuckDB, a local Parquet lake
// under examples/demo/.marketlake). Environment variables (MARKETLAKE_*) and flags override these.
export default defineConfig({
  port: 7420,
  retentionDays: 7,
});
