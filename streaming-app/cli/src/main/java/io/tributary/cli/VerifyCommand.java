package io.tributary.cli;

import io.tributary.verify.LakeVerifier;
import io.tributary.verify.VerifyResult;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code tributary verify}: compares sources with mirror tables. */
@Command(
    name = "verify",
    description =
        "Compare every captured table with its mirror table (row count and a hash of every row);"
            + " exit code 0 only when all are equal, 1 when a table differs, 2 when a table could"
            + " not be compared or none matched.")
final class VerifyCommand implements Callable<Integer> {
  @CommandLine.Mixin LakeTarget target;

  @Option(names = "--table", description = "check only this table (schema.table or lake name)")
  String table;

  @Override
  public Integer call() throws Exception {
    List<VerifyResult> results =
        target.apply((c, catalog) -> LakeVerifier.verify(c, catalog, table));
    for (VerifyResult result : results) {
      System.out.println(result);
    }
    System.out.println(LakeVerifier.summary(results));
    return LakeVerifier.exitCode(results);
  }
}
