package io.tributary.config;

import java.util.Locale;

/** How the connection to the source database uses TLS, with libpq's meaning for each mode. */
public enum SslMode {
  /** No TLS. */
  DISABLE("disable"),
  /** TLS when the server offers it, without certificate checks (the libpq default). */
  PREFER("prefer"),
  /** TLS always, without certificate checks. */
  REQUIRE("require"),
  /** TLS always; the server certificate must be signed by a trusted authority. */
  VERIFY_CA("verify-ca"),
  /** TLS always; trusted certificate whose name matches the host. */
  VERIFY_FULL("verify-full");

  private final String libpqName;

  SslMode(String libpqName) {
    this.libpqName = libpqName;
  }

  /** The name libpq and the JDBC driver use, e.g. "verify-ca". */
  public String libpqName() {
    return libpqName;
  }

  /**
   * The mode named {@code name} (libpq name such as "verify-ca", or constant name such as
   * "VERIFY_CA", in any case), or null when there is none.
   */
  static SslMode fromName(String name) {
    String normalized = name.trim().toLowerCase(Locale.ROOT).replace('_', '-');
    for (SslMode mode : values()) {
      if (mode.libpqName.equals(normalized)) {
        return mode;
      }
    }
    return null;
  }

  /** The libpq names of all modes, comma-separated, for messages and docs. */
  static String validNames() {
    StringBuilder names = new StringBuilder();
    for (SslMode mode : values()) {
      if (names.length() > 0) {
        names.append(", ");
      }
      names.append(mode.libpqName);
    }
    return names.toString();
  }
}
