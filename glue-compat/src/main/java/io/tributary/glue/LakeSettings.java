package io.tributary.glue;

import io.tributary.catalog.CatalogSpec;
import io.tributary.catalog.CatalogSpecs;
import io.tributary.config.CatalogConfig;
import io.tributary.config.CatalogType;
import io.tributary.config.ConfigException;
import io.tributary.config.ConfigLoader;
import io.tributary.config.ControlConfig;
import io.tributary.config.S3Config;
import io.tributary.config.SinkConfig;
import io.tributary.config.TributaryConfig;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Where the lake is, from the arguments every job shares. In AWS the Glue catalog is described by
 * {@code --catalog-type glue --warehouse --namespace [--glue-catalog-id]}; elsewhere (a JDBC or
 * REST catalog, an S3-compatible server) {@code --config FILE} names the streaming job's YAML file,
 * whose sink section is used as is, so both jobs read the lake through one definition ({@link
 * CatalogSpecs}).
 */
public final class LakeSettings {
  public static final String CATALOG_TYPE = "--catalog-type";
  public static final String WAREHOUSE = "--warehouse";
  public static final String NAMESPACE = "--namespace";
  public static final String GLUE_CATALOG_ID = "--glue-catalog-id";
  public static final String CONTROL_TABLE = "--control-table";

  /** Endpoint of a DynamoDB-compatible server holding the control table (local runs only). */
  public static final String CONTROL_ENDPOINT = "--control-endpoint";

  /** How long the control table keeps history items ({@code control.history-retention}). */
  public static final String CONTROL_HISTORY_RETENTION = "--control-history-retention";

  public static final String CONFIG = "--config";

  /** The arguments every job accepts. */
  public static final List<String> KEYS =
      List.of(
          CATALOG_TYPE,
          WAREHOUSE,
          NAMESPACE,
          GLUE_CATALOG_ID,
          CONTROL_TABLE,
          CONTROL_ENDPOINT,
          CONTROL_HISTORY_RETENTION,
          CONFIG);

  private final SinkConfig sink;
  private final TributaryConfig fileConfig;
  private final ControlConfig control;

  private LakeSettings(SinkConfig sink, TributaryConfig fileConfig, ControlConfig control) {
    this.sink = sink;
    this.fileConfig = fileConfig;
    this.control = control;
  }

  /**
   * The settings of a streaming job's configuration (the local commands use this), with its control
   * table.
   */
  public static LakeSettings of(TributaryConfig config) {
    return new LakeSettings(config.sink(), config, config.control().orElse(null));
  }

  private static ControlConfig control(GlueArguments args, TributaryConfig fileConfig) {
    String table = args.get(CONTROL_TABLE);
    if (table == null) {
      for (String key : List.of(CONTROL_ENDPOINT, CONTROL_HISTORY_RETENTION)) {
        if (args.has(key)) {
          throw new ArgumentException(
              key + " needs " + CONTROL_TABLE + " NAME: name the control table too");
        }
      }
      return fileConfig == null ? null : fileConfig.control().orElse(null);
    }
    try {
      return ControlConfig.builder()
          .tableName(table)
          .endpoint(args.get(CONTROL_ENDPOINT))
          .historyRetention(args.get(CONTROL_HISTORY_RETENTION))
          .build();
    } catch (ConfigException e) {
      throw new ArgumentException(
          String.join("; ", e.problems())
              .replace("control.table-name", CONTROL_TABLE)
              .replace("control.endpoint", CONTROL_ENDPOINT)
              .replace("control.history-retention", CONTROL_HISTORY_RETENTION));
    }
  }

  /**
   * Reads the shared arguments.
   *
   * @throws ArgumentException when the lake is not fully described or the values disagree
   */
  public static LakeSettings from(GlueArguments args) {
    if (args.has(CONFIG)) {
      TributaryConfig config = ConfigLoader.fromYaml(Path.of(args.get(CONFIG)));
      SinkConfig fileSink = config.sink();
      String type = args.get(CATALOG_TYPE);
      if (type != null && !type.equalsIgnoreCase(fileSink.catalog().type().configName())) {
        throw new ArgumentException(
            CATALOG_TYPE
                + " "
                + type
                + " disagrees with the catalog type "
                + fileSink.catalog().type().configName()
                + " of "
                + args.get(CONFIG)
                + ": leave out "
                + CATALOG_TYPE
                + " or use a matching file");
      }
      SinkConfig.Builder sink = fileSink.toBuilder();
      if (args.has(WAREHOUSE)) {
        sink.warehouse(args.get(WAREHOUSE));
      }
      if (args.has(NAMESPACE)) {
        sink.namespace(args.get(NAMESPACE));
      }
      if (args.has(GLUE_CATALOG_ID)) {
        sink.catalog(
            fileSink.catalog().toBuilder().glueCatalogId(args.get(GLUE_CATALOG_ID)).build());
      }
      SinkConfig built = sink.build();
      return new LakeSettings(built, config.toBuilder().sink(built).build(), control(args, config));
    }
    String type = args.get(CATALOG_TYPE, CatalogType.GLUE.configName()).toLowerCase(Locale.ROOT);
    if (!type.equals(CatalogType.GLUE.configName())) {
      throw new ArgumentException(
          CATALOG_TYPE
              + " "
              + type
              + " needs the catalog's URI and credentials: pass "
              + CONFIG
              + " FILE (the streaming job's YAML configuration) instead");
    }
    if (!args.has(WAREHOUSE) || !args.has(NAMESPACE)) {
      throw new ArgumentException(
          "the lake is not described: pass "
              + WAREHOUSE
              + " s3://bucket/prefix and "
              + NAMESPACE
              + " <glue database> (with "
              + CATALOG_TYPE
              + " glue), or "
              + CONFIG
              + " FILE");
    }
    SinkConfig sink =
        SinkConfig.builder()
            .warehouse(args.get(WAREHOUSE))
            .namespace(args.get(NAMESPACE))
            .catalog(
                CatalogConfig.builder()
                    .type(CatalogType.GLUE)
                    .glueCatalogId(args.get(GLUE_CATALOG_ID))
                    .build())
            .s3(S3Config.builder().build())
            .build();
    return new LakeSettings(sink, null, control(args, null));
  }

  /** The sink: catalog, warehouse, namespace and S3 access. */
  public SinkConfig sink() {
    return sink;
  }

  /** The namespace (Glue database) of the mirror tables. */
  public String namespace() {
    return sink.namespace();
  }

  /** The catalog definition shared with the streaming job. */
  public CatalogSpec catalogSpec() {
    return CatalogSpecs.from(sink);
  }

  /** The whole streaming job configuration when one was given, for its source section. */
  public Optional<TributaryConfig> fileConfig() {
    return Optional.ofNullable(fileConfig);
  }

  /** The DynamoDB control table, when given. */
  public Optional<String> controlTable() {
    return control().map(ControlConfig::tableName);
  }

  /** The DynamoDB control table and how to reach it, when given. */
  public Optional<ControlConfig> control() {
    return Optional.ofNullable(control);
  }
}
