package io.tributary.sink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.CommonConfigurationKeys;
import org.apache.hadoop.fs.CommonConfigurationKeysPublic;
import org.junit.jupiter.api.Test;

/**
 * Writers are opened without Hadoop's default resources, and the Parquet write path loses nothing
 * by it: the codec settings it reads have the same defaults in the code.
 */
class HadoopDefaultsTest {
  @Test
  void aConfigurationMadeWhileHiddenReadsNoDefaultResource() {
    assertThat(new Configuration().get("io.file.buffer.size")).isEqualTo("4096");
    Configuration hidden = HadoopDefaults.hidden(Configuration::new);
    // Read after the call returned: the Configuration loads its resources lazily, through the
    // loader that was the context loader when it was made.
    assertThat(hidden.get("io.file.buffer.size")).isNull();
    assertThat(hidden.size()).isZero();
  }

  @Test
  void classesAndOtherResourcesStillLoadAndTheContextLoaderIsPutBack() throws Exception {
    ClassLoader before = Thread.currentThread().getContextClassLoader();
    ClassLoader during =
        HadoopDefaults.hidden(() -> Thread.currentThread().getContextClassLoader());
    assertThat(during).isNotSameAs(before);
    assertThat(during.getResource("core-default.xml")).isNull();
    assertThat(during.getResources("core-site.xml").hasMoreElements()).isFalse();
    assertThat(during.getResource("hdfs-default.xml")).isNull();
    assertThat(during.loadClass(Configuration.class.getName())).isSameAs(Configuration.class);
    assertThat(during.getResource("org/apache/hadoop/conf/Configuration.class")).isNotNull();
    assertThat(Thread.currentThread().getContextClassLoader()).isSameAs(before);

    assertThatThrownBy(
            () ->
                HadoopDefaults.hidden(
                    () -> {
                      throw new IllegalStateException("open failed");
                    }))
        .hasMessage("open failed");
    assertThat(Thread.currentThread().getContextClassLoader()).isSameAs(before);
  }

  @Test
  void theCodecSettingsTheWritePathReadsDefaultInTheCodeToWhatTheResourcesSay() {
    Configuration resources = new Configuration(false);
    resources.addResource("core-default.xml");
    assertThat(resources.size()).isGreaterThan(100);
    assertThat(resources.getInt(CommonConfigurationKeysPublic.IO_FILE_BUFFER_SIZE_KEY, -1))
        .isEqualTo(CommonConfigurationKeysPublic.IO_FILE_BUFFER_SIZE_DEFAULT);
    assertThat(resources.get("io.native.lib.available", "true")).isEqualTo("true");
    // Not in Hadoop 3.3.6's resources; if a later version adds them, they must agree.
    assertThat(resources.get(CommonConfigurationKeys.IO_COMPRESSION_CODEC_LZ4_BUFFERSIZE_KEY))
        .isIn(
            null,
            Integer.toString(CommonConfigurationKeys.IO_COMPRESSION_CODEC_LZ4_BUFFERSIZE_DEFAULT));
    assertThat(resources.get(CommonConfigurationKeys.IO_COMPRESSION_CODEC_LZ4_USELZ4HC_KEY))
        .isIn(
            null,
            Boolean.toString(CommonConfigurationKeys.IO_COMPRESSION_CODEC_LZ4_USELZ4HC_DEFAULT));
  }
}
