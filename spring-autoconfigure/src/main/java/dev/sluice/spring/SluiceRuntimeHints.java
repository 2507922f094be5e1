package dev.sluice.spring;

import dev.sluice.SluiceDriver;
import java.sql.DatabaseMetaData;
import org.springframework.aot.hint.MemberCategory;
import org.springframework.aot.hint.RuntimeHints;
import org.springframework.aot.hint.RuntimeHintsRegistrar;

/**
 * What a native image needs to know of Sluice ahead of time: its {@link DatabaseMetaData} is a JDK
 * proxy that forwards each call reflectively to sqlite-jdbc's (Hibernate and Flyway read it at
 * startup), and its driver is found through {@code META-INF/services/java.sql.Driver} and made by
 * its public constructor (for {@code jdbc:sluice:} URLs given to tools). A class named by {@code
 * sluice.connectionInitializer} is the application's to register; a {@code
 * SluiceConnectionInitializer} bean needs nothing. Stateless, thread-safe.
 */
final class SluiceRuntimeHints implements RuntimeHintsRegistrar {

  @Override
  public void registerHints(RuntimeHints hints, ClassLoader classLoader) {
    hints.proxies().registerJdkProxy(DatabaseMetaData.class);
    hints.reflection().registerType(DatabaseMetaData.class, MemberCategory.INVOKE_PUBLIC_METHODS);
    hints.reflection().registerType(SluiceDriver.class, MemberCategory.INVOKE_PUBLIC_CONSTRUCTORS);
    hints.resources().registerPattern("META-INF/services/java.sql.Driver");
  }
}
