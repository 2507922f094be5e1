package dev.sluice.driver;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import java.io.File;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Driver;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The JVM's exit closes the engines still open (the shutdown hook). A build tool's plugin (Flyway's
 * Maven plugin given a {@code jdbc:sluice:} URL) loads Sluice in a class loader it closes before
 * the JVM exits; classes the close had not used yet can then no longer load. The hook gives up
 * quietly there, where it printed a {@code NoClassDefFoundError} at the end of every such build.
 * Nothing acknowledged is lost: the file is left as a killed process leaves it, which WAL recovers.
 */
class ShutdownHookLoaderTest {
  @TempDir Path dir;

  @Test
  void closingEnginesAfterTheirClassLoaderClosedEndsQuietly() throws Exception {
    // Given Sluice loaded by a class loader of its own, with an engine open and written to
    List<URL> urls = new ArrayList<>();
    String path = System.getProperty("java.class.path");
    for (String entry : path.split(Pattern.quote(File.pathSeparator), -1)) {
      urls.add(Path.of(entry).toUri().toURL());
    }
    URLClassLoader loader =
        new URLClassLoader(urls.toArray(new URL[0]), ClassLoader.getPlatformClassLoader());
    // As a build tool runs a plugin: its loader is the thread's context loader meanwhile
    ClassLoader context = Thread.currentThread().getContextClassLoader();
    Thread.currentThread().setContextClassLoader(loader);
    Driver driver =
        (Driver) loader.loadClass("dev.sluice.SluiceDriver").getDeclaredConstructor().newInstance();
    assertThat(driver.getClass().getClassLoader()).isSameAs(loader);
    try (Connection c =
            driver.connect("jdbc:sluice:sqlite:" + dir.resolve("plugin.db"), new Properties());
        Statement s = c.createStatement()) {
      s.executeUpdate("CREATE TABLE t (x)");
      s.executeUpdate("INSERT INTO t VALUES (1)");
    }
    Class<?> engines = loader.loadClass("dev.sluice.driver.Engines");
    Thread.currentThread().setContextClassLoader(context);

    // When the loader closes, then the hook's work runs
    loader.close();
    assertThatCode(() -> engines.getMethod("closeAll").invoke(null)).doesNotThrowAnyException();
  }
}
