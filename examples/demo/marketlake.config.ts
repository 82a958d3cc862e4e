import { defineConfig } from 'marketlake';

// The demo project `npm start` runs: embedded mode (SQLite metadata, DuckDB, a local Parquet lake
// under examples/demo/.marketlake). Environment variables (MARKETLAKE_*) and flags override these.
export default defineConfig({
  port: 7420,
  retentionDays: 7,
  // The SYNTHETIC demo market: history into inbox/ once, then a trading day every 10 s.
  demoFeed: true,
});
