import { ConnectorInvalidOptionsError } from '../errors.js';

/** A page-size option (`limit`, `count`, `numOfRows`): a whole number from 1 to the provider's maximum. */
export function pageSize(value: unknown, max: number): number {
  if (value === undefined) return max;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > max)
    throw new ConnectorInvalidOptionsError(
      `Page size ${JSON.stringify(value)} is invalid: use a whole number from 1 to ${max}.`,
      { details: { value, max } },
    );
  return value;
}
