import type { FastifyInstance } from 'fastify';
import { describeSources } from '../../connectors/index.js';
import type { Platform } from '../platform.js';

/** `GET /api/sources`: built-in connectors (key configured or not, base URL, terms) and source health. */
export function sourcesRoutes(app: FastifyInstance, { lake }: Platform): void {
  app.get('/api/sources', async () => describeSources({ lake }));
}
