package io.tributary.cli;

import io.tributary.catalog.CatalogSpec;
import io.tributary.deadletter.DeadLetters;
import java.util.List;
import java.util.concurrent.Callable;
import org.apache.iceberg.io.FileIO;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code tributary dead-letters}: the changes that could not be written, with the reason. */
@Command(
    name = "dead-letters",
    description =
        "List the dead letters (changes that could not be written, with table, position, reason"
            + " and values) under <warehouse>/_dead_letters.")
final class DeadLettersCommand implements Callable<Integer> {
  @CommandLine.Mixin LakeTarget target;

  @Option(names = "--table", description = "only this source table (schema.table)")
  String table;

  @Option(names = "--files", description = "list the files only, not their lines")
  boolean filesOnly;

  @Override
  public Integer call() throws Exception {
    target.apply(
        (c, catalog) -> {
          print(catalog);
          return null;
        });
    return 0;
  }

  private void print(CatalogSpec catalog) {
    try (FileIO fileIo = catalog.openFileIo()) {
      List<DeadLetters.DeadLetterFile> files = DeadLetters.list(fileIo, catalog.warehouse(), table);
      long lines = 0;
      for (DeadLetters.DeadLetterFile file : files) {
        if (filesOnly) {
          System.out.println(file);
          continue;
        }
        for (String line : DeadLetters.read(fileIo, file.path())) {
          System.out.println(line);
          lines++;
        }
      }
      System.out.println(
          files.isEmpty()
              ? "No dead letters" + (table == null ? "." : " for " + table + ".")
              : files.size() + " files" + (filesOnly ? "." : ", " + lines + " dead letters."));
    }
  }
}
