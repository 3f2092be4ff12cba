import { z } from 'zod';

/** A media URL as catalogs store it (an uploaded /media/ path or any link). */
export const mediaUrl = z.string().max(1024);
/** Rows that can be switched off without being deleted. */
export const catalogStatus = z.enum(['active', 'inactive']);
