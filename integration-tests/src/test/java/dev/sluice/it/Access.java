package dev.sluice.it;

/**
 * The four ways a framework reaches a database in these tests: plain sqlite-jdbc or Sluice, each
 * through a {@code DataSource} the application built or through a JDBC URL the framework opens
 * itself (as a command line, a build plugin or a {@code url} setting does). Thread-safe: constants.
 */
enum Access {
  PLAIN_DATA_SOURCE(false, false),
  PLAIN_URL(false, true),
  SLUICE_DATA_SOURCE(true, false),
  SLUICE_URL(true, true);

  private final boolean sluice;
  private final boolean byUrl;

  Access(boolean sluice, boolean byUrl) {
    this.sluice = sluice;
    this.byUrl = byUrl;
  }

  boolean sluice() {
    return sluice;
  }

  boolean byUrl() {
    return byUrl;
  }
}
