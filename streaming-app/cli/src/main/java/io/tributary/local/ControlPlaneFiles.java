package io.tributary.local;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Where the local control plane's files are: {@code infra/local} (dynalite, aws-local-stepfunctions
 * and the scripts that run them, installed by {@code npm ci}) and {@code infra/stepfunctions} (the
 * state machines Terraform deploys), found in the checkout this code runs from; and the Node.js
 * executable ({@code TRIBUTARY_NODE}, else {@code node} on the PATH).
 */
public final class ControlPlaneFiles {
  /** System property naming the repository root, for runs outside the checkout. */
  public static final String ROOT_PROPERTY = "tributary.repository";

  private ControlPlaneFiles() {}

  /** The checkout's root, or empty when this code does not run from one. */
  public static Optional<Path> repositoryRoot() {
    List<Path> starts = new ArrayList<>();
    String configured = System.getProperty(ROOT_PROPERTY);
    if (configured != null) {
      starts.add(Path.of(configured));
    }
    try {
      starts.add(
          Path.of(
              ControlPlaneFiles.class.getProtectionDomain().getCodeSource().getLocation().toURI()));
    } catch (Exception e) {
      // no code source: fall back to the working directory
    }
    starts.add(Path.of("").toAbsolutePath());
    for (Path start : starts) {
      for (Path p = start.toAbsolutePath(); p != null; p = p.getParent()) {
        if (Files.isDirectory(p.resolve("infra/local"))
            && Files.isDirectory(p.resolve("infra/stepfunctions"))) {
          return Optional.of(p);
        }
      }
    }
    return Optional.empty();
  }

  /** {@code infra/local} with its packages installed, or empty. */
  public static Optional<Path> installedLocalPackages() {
    return repositoryRoot()
        .map(root -> root.resolve("infra/local"))
        .filter(dir -> Files.isDirectory(dir.resolve("node_modules/dynalite")))
        .filter(dir -> Files.isDirectory(dir.resolve("node_modules/aws-local-stepfunctions")));
  }

  /**
   * {@code infra/local} with its packages installed.
   *
   * @throws IllegalStateException saying how to install them
   */
  public static Path requireLocalPackages() {
    return installedLocalPackages()
        .orElseThrow(
            () ->
                new IllegalStateException(
                    "The local control plane is not installed: run 'npm ci' in infra/local (the"
                        + " build and ./tributary do this; it needs Node.js 20 or later)"));
  }

  /** The state machine definition {@code infra/stepfunctions/<name>.asl.json}. */
  public static Path stateMachine(String name) {
    Path root =
        repositoryRoot()
            .orElseThrow(
                () ->
                    new IllegalStateException(
                        "Cannot find infra/stepfunctions: run from a checkout of the repository"));
    return root.resolve("infra/stepfunctions/" + name + ".asl.json");
  }

  /** The Node.js executable. */
  public static String node() {
    String configured = System.getenv("TRIBUTARY_NODE");
    return configured == null || configured.isBlank() ? "node" : configured;
  }
}
