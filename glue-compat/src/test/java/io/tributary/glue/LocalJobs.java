package io.tributary.glue;

import io.tributary.backfill.BackfillJob;
import io.tributary.backfill.BackfillOptions;
import io.tributary.backfill.SourceAccess;
import io.tributary.config.TributaryConfig;
import io.tributary.local.LocalRunner;
import io.tributary.local.LocalStack;
import io.tributary.maintenance.MaintenanceJob;
import io.tributary.maintenance.MaintenanceOptions;
import io.tributary.maintenance.MaintenanceReport;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.spark.sql.SparkSession;

/**
 * {@code tributary maintain} and {@code tributary backfill} on the local stack: the same jobs as on
 * Glue, with Spark in this process, on the lake of a working folder (attaching to a running {@code
 * tributary local}, or starting the stack when none runs). Without {@code --table}, maintain takes
 * every table.
 *
 * <p>It lives in the test sources because it needs the local stack of the streaming app, which the
 * module depends on for its tests only: the Glue jar does not hold it. {@code
 * glue-compat/bin/tributary-spark} runs it with the test class path.
 */
public final class LocalJobs {
  private static final String WORKDIR = "--workdir";

  private LocalJobs() {}

  public static void main(String[] args) {
    int code;
    try {
      code = run(args);
    } catch (IllegalArgumentException e) {
      System.err.println("error: " + e.getMessage());
      code = 2;
    } catch (Exception e) {
      System.err.println("error: " + e);
      e.printStackTrace();
      code = 1;
    }
    System.exit(code);
  }

  static int run(String[] args) throws Exception {
    if (args.length == 0 || !(args[0].equals("maintain") || args[0].equals("backfill"))) {
      throw new ArgumentException(
          "usage: tributary maintain [--workdir DIR] [--table T] [maintenance arguments] |"
              + " tributary backfill --table T [--workdir DIR] [--parallelism N] [--fetch-size N]"
              + " [--key-from K] [--key-to K]");
    }
    boolean maintain = args[0].equals("maintain");
    List<String> keys = new ArrayList<>(maintain ? MaintenanceOptions.KEYS : BackfillOptions.KEYS);
    keys.add(WORKDIR);
    GlueArguments parsed = GlueArguments.parse(Arrays.copyOfRange(args, 1, args.length), keys);
    Path workdir = Path.of(parsed.get(WORKDIR, ".tributary"));
    try (LocalStack stack = LocalStack.attachOrStart(workdir)) {
      TributaryConfig config = LocalRunner.localConfigFor(stack, workdir);
      LakeSettings lake = LakeSettings.of(config);
      if (!System.getProperties().containsKey("spark.master")) {
        System.setProperty("spark.master", "local[2]");
      }
      SparkSession spark = SparkSessions.create("tributary-" + args[0], lake.catalogSpec());
      try {
        if (maintain) {
          MaintenanceOptions options =
              MaintenanceOptions.from(
                  parsed.has(MaintenanceOptions.TABLE) || parsed.has(MaintenanceOptions.ALL_TABLES)
                      ? parsed
                      : GlueArguments.parse(
                          concat(args, MaintenanceOptions.ALL_TABLES, "true"), keys));
          List<MaintenanceReport> reports = MaintenanceJob.run(spark, lake, options, System.out);
          return reports.stream().allMatch(MaintenanceReport::succeeded) ? 0 : 1;
        }
        BackfillJob.run(
            spark,
            lake,
            BackfillOptions.from(parsed),
            SourceAccess.of(config.source()),
            System.out);
        return 0;
      } finally {
        spark.stop();
      }
    }
  }

  private static String[] concat(String[] args, String key, String value) {
    String[] all = Arrays.copyOfRange(args, 1, args.length + 2);
    all[args.length - 1] = key;
    all[args.length] = value;
    return all;
  }
}
