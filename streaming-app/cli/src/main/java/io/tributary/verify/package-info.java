/**
 * Comparing source tables with their mirror tables, row by row over all columns, in bounded memory.
 */
package io.tributary.verify;
