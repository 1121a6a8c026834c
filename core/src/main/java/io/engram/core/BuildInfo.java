package io.engram.core;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;

/** What the build recorded about this code: the git commit it was built from. */
public final class BuildInfo {
  private static final String COMMIT = load().getProperty("commit", "unknown");

  private BuildInfo() {}

  /** The short git commit, or {@code unknown} for a build made without {@code ./engram}. */
  public static String commit() {
    return COMMIT.startsWith("${") ? "unknown" : COMMIT;
  }

  private static Properties load() {
    Properties p = new Properties();
    try (InputStream in = BuildInfo.class.getResourceAsStream("build.properties")) {
      if (in != null) {
        p.load(in);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the build's build.properties", e);
    }
    return p;
  }
}
