/**
 * The table maintenance job: rewrites data files applying deletes, rewrites position delete files
 * and manifests, removes delete files no data file needs any more, expires snapshots while keeping
 * the streaming job's last commit, and removes orphan files, reporting each table as JSON.
 */
package io.tributary.maintenance;
