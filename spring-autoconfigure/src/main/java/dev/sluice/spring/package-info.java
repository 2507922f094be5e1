/**
 * Spring Boot 4 auto-configuration for Sluice: a {@code SluiceDataSource} for a {@code
 * jdbc:sluice:sqlite:} {@code spring.datasource.url} (also in Boot's test slices), its {@code
 * sluice.*} properties, {@code spring.datasource.*} through Boot's connection details, pool
 * metadata for Actuator's meters and {@code db} health, a health indicator, migrations by URL
 * through the data source, runtime hints and failure analyzers; only {@link
 * dev.sluice.spring.SluiceAutoConfiguration} and {@link dev.sluice.spring.SluiceProperties} are
 * public.
 */
package dev.sluice.spring;
