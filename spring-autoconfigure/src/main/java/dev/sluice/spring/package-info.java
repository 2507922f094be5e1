/**
 * Spring Boot 4 auto-configuration for Sluice: a {@code SluiceDataSource} for a {@code
 * jdbc:sluice:sqlite:} {@code spring.datasource.url}, its {@code sluice.*} properties, a health
 * indicator and a failure analyzer; only {@link dev.sluice.spring.SluiceAutoConfiguration} and
 * {@link dev.sluice.spring.SluiceProperties} are public.
 */
package dev.sluice.spring;
