import { MarketlakeError } from '../../src/core/index.js';

/**
 * The marketlake error `promise` rejects with; fails the test when it resolves or rejects with
 * anything else, so that the caller can assert on code, message and details.
 */
export async function failure(promise: Promise<unknown>): Promise<MarketlakeError> {
  let result: unknown;
  try {
    result = await promise;
  } catch (err) {
    if (err instanceof MarketlakeError) return err;
    throw new Error(
      `Expected a MarketlakeError, got: ${err instanceof Error ? `${err.name}: ${err.message}` : String(err)}`,
      { cause: err },
    );
  }
  throw new Error(`Expected a rejection, got: ${JSON.stringify(result)?.slice(0, 300)}`);
}
