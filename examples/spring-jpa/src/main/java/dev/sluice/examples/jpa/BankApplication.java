package dev.sluice.examples.jpa;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;

/**
 * The example's entry point. Nothing here is Sluice-specific: the dependency on {@code
 * sluice-spring-boot-autoconfigure} and the {@code jdbc:sluice:sqlite:} URL in {@code
 * application.properties} are the whole switch. Spring creates it once; it holds no state.
 */
@SpringBootApplication
public class BankApplication {

  /**
   * Starts the application, lets the {@link BankRunner} do one round of work, and stops: closing
   * the context closes the SluiceDataSource, which checkpoints the WAL into the database file.
   */
  public static void main(String[] args) {
    SpringApplication.run(BankApplication.class, args).close();
  }
}
