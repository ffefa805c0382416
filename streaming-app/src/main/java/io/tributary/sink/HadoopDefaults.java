package io.tributary.sink;

import java.io.IOException;
import java.net.URL;
import java.util.Collections;
import java.util.Enumeration;
import java.util.function.Supplier;
import java.util.regex.Pattern;

/**
 * Opens Iceberg's Parquet writers without Hadoop's XML default resources.
 *
 * <p>Iceberg's {@code Parquet.WriteBuilder} creates a new Hadoop {@code Configuration} for every
 * file it opens unless the file is a Hadoop file (the stream's files go through Iceberg's own
 * {@code FileIO}, so they never are), and each new {@code Configuration} parses {@code
 * core-default.xml} (about 320 properties) the first time it is read: 2.3 to 4 ms of CPU per file
 * on a 2-core machine, against 0.03 to 0.2 ms for a copy. A checkpoint that writes a data and a
 * delete file in each of a few hundred tables spends about a second of a writer's CPU on it.
 *
 * <p>The {@code Configuration} looks its default resources up through the thread's context class
 * loader as it is when the {@code Configuration} is created. While a writer is opened, that loader
 * is replaced by one that hides the default resources and delegates everything else (classes
 * included) to the loader it replaces; the original is put back before the call returns. The
 * Parquet write path reads the {@code parquet.*} keys Iceberg sets and a few codec settings ({@code
 * io.file.buffer.size}, {@code io.native.lib.available}, the LZ4 buffer), whose defaults in the
 * code are the values {@code core-default.xml} gives them (Hadoop 3.3.6); {@code
 * HadoopDefaultsTest} checks that.
 */
final class HadoopDefaults {
  /**
   * Hadoop's default resources, looked up by name at the root of the class path: {@code
   * core-default.xml} and {@code core-site.xml}, and those other Hadoop modules add when their
   * classes load ({@code hdfs-default.xml}, {@code yarn-site.xml}, ...).
   */
  static final Pattern DEFAULT_RESOURCES = Pattern.compile("[a-z]+-(default|site)\\.xml");

  /** The last loader made, reused while the context loader it hides for stays the same. */
  private static volatile HidingLoader last;

  private HadoopDefaults() {}

  /** Runs {@code open} with a context class loader that hides Hadoop's default resources. */
  static <T> T hidden(Supplier<T> open) {
    Thread thread = Thread.currentThread();
    ClassLoader original = thread.getContextClassLoader();
    thread.setContextClassLoader(loaderFor(parentOf(original)));
    try {
      return open.get();
    } finally {
      thread.setContextClassLoader(original);
    }
  }

  private static HidingLoader loaderFor(ClassLoader parent) {
    HidingLoader loader = last;
    if (loader == null || loader.getParent() != parent) {
      loader = new HidingLoader(parent);
      last = loader;
    }
    return loader;
  }

  private static ClassLoader parentOf(ClassLoader contextLoader) {
    return contextLoader != null ? contextLoader : HadoopDefaults.class.getClassLoader();
  }

  /** Delegates to its parent, except that Hadoop's default resources are not found. */
  private static final class HidingLoader extends ClassLoader {
    HidingLoader(ClassLoader parent) {
      super(parent);
    }

    @Override
    public URL getResource(String name) {
      return DEFAULT_RESOURCES.matcher(name).matches() ? null : super.getResource(name);
    }

    @Override
    public Enumeration<URL> getResources(String name) throws IOException {
      return DEFAULT_RESOURCES.matcher(name).matches()
          ? Collections.emptyEnumeration()
          : super.getResources(name);
    }
  }
}
