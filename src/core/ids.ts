import { randomUUID } from 'node:crypto';

/** A random UUID (v4); used for file names and write ids. */
export function newId(): string {
  return randomUUID();
}

/** A sortable id: milliseconds since epoch in base 36 followed by random characters. */
export function newSortableId(prefix = ''): string {
  const time = Date.now().toString(36).padStart(9, '0');
  const rand = randomUUID().replace(/-/g, '').slice(0, 12);
  return `${prefix}${time}${rand}`;
}
