package dev.sluice;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;
import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.domain.JavaModifier;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.library.GeneralCodingRules;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/** The house rules of style.md section 6, as tests. */
class ArchitectureTest {
  private static final JavaClasses MAIN =
      new ClassFileImporter()
          .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
          .importPackages("dev.sluice");

  @Test
  void packagesHaveNoCycles() {
    slices().matching("dev.sluice.(*)..").should().beFreeOfCycles().check(MAIN);
  }

  @Test
  void leavesUseOnlyTheErrorPackage() {
    for (String leaf : new String[] {"retry", "pragma", "metrics", "sql", "jdbc", "error"}) {
      noClasses()
          .that()
          .resideInAPackage("dev.sluice." + leaf)
          .should()
          .dependOnClassesThat()
          .resideInAnyPackage(
              "dev.sluice", "dev.sluice.driver", "dev.sluice.routing", otherLeaves(leaf))
          .allowEmptyShould(true)
          .check(MAIN);
    }
  }

  private static String otherLeaves(String leaf) {
    // ArchUnit package patterns: any leaf but this one and error.
    Set<String> others = new TreeSet<>(Set.of("retry", "pragma", "metrics", "sql", "jdbc"));
    others.remove(leaf);
    return "dev.sluice.(" + String.join("|", others) + ")";
  }

  @Test
  void theWriterUsesOnlyLeaves() {
    noClasses()
        .that()
        .resideInAPackage("dev.sluice.writer")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage("dev.sluice", "dev.sluice.driver", "dev.sluice.routing")
        .check(MAIN);
  }

  @Test
  void routingDoesNotReachUpToTheDriverOrTheApi() {
    noClasses()
        .that()
        .resideInAPackage("dev.sluice.routing")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage("dev.sluice", "dev.sluice.driver")
        .check(MAIN);
  }

  @Test
  void noStandardStreamsAndNoJavaUtilLogging() {
    GeneralCodingRules.NO_CLASSES_SHOULD_ACCESS_STANDARD_STREAMS.check(MAIN);
    GeneralCodingRules.NO_CLASSES_SHOULD_USE_JAVA_UTIL_LOGGING.check(MAIN);
  }

  @Test
  void onlyTheErrorFactoryCreatesSqlExceptions() {
    noClasses()
        .that()
        .resideOutsideOfPackage("dev.sluice.error")
        .should()
        .callConstructorWhere(
            com.tngtech.archunit.base.DescribedPredicate.describe(
                "creates a SQLException",
                (com.tngtech.archunit.core.domain.JavaConstructorCall call) ->
                    call.getTarget().getOwner().isAssignableTo(java.sql.SQLException.class)))
        .check(MAIN);
  }

  @Test
  void thePublicApiIsExactlyTheseTypes() {
    Set<String> api = new TreeSet<>();
    MAIN.stream()
        .filter(c -> c.getPackageName().equals("dev.sluice"))
        .filter(c -> c.getModifiers().contains(JavaModifier.PUBLIC))
        .forEach(c -> api.add(c.getName()));
    assertThat(api)
        .containsExactly(
            "dev.sluice.SluiceConnectionInitializer",
            "dev.sluice.SluiceDataSource",
            "dev.sluice.SluiceDataSource$Builder",
            "dev.sluice.SluiceDriver",
            "dev.sluice.SluiceWork");
  }

  @Test
  void apiClassesAreFinal() {
    classes()
        .that()
        .resideInAPackage("dev.sluice")
        .and()
        .arePublic()
        .and()
        .areNotInterfaces()
        .should()
        .haveModifier(JavaModifier.FINAL)
        .check(MAIN);
  }
}
