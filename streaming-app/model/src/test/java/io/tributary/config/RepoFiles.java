package io.tributary.config;

import java.nio.file.Files;
import java.nio.file.Path;

/** Finds files of the repository from tests, whatever directory they run in. */
final class RepoFiles {

  private RepoFiles() {}

  /** The file at {@code pathFromRoot} (e.g. "docs/configuration.md") in the repository. */
  static Path find(String pathFromRoot) {
    Path dir = Path.of("").toAbsolutePath();
    while (dir != null) {
      Path candidate = dir.resolve(pathFromRoot);
      if (Files.exists(candidate)) {
        return candidate;
      }
      dir = dir.getParent();
    }
    throw new IllegalStateException(
        pathFromRoot + " not found above " + Path.of("").toAbsolutePath());
  }
}
