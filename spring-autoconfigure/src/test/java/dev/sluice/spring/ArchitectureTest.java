package dev.sluice.spring;

import static com.tngtech.archunit.base.DescribedPredicate.not;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAPackage;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAnyPackage;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.domain.JavaModifier;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.library.GeneralCodingRules;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/** The house rules for this module (style.md sections 4 and 6), as tests. */
class ArchitectureTest {
  private static final JavaClasses MAIN =
      new ClassFileImporter()
          .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
          .importPackages("dev.sluice.spring");

  @Test
  void usesOnlySluicesPublicApi() {
    classes()
        .that()
        .resideInAPackage("dev.sluice.spring")
        .should()
        .onlyDependOnClassesThat(
            not(resideInAPackage("dev.sluice.."))
                .or(resideInAnyPackage("dev.sluice", "dev.sluice.spring")))
        .check(MAIN);
  }

  @Test
  void onlyTheAutoConfigurationAndThePropertiesArePublic() {
    Set<String> publicTopLevel = new TreeSet<>();
    for (JavaClass c : MAIN) {
      if (c.isTopLevelClass() && c.getModifiers().contains(JavaModifier.PUBLIC)) {
        publicTopLevel.add(c.getSimpleName());
      }
    }
    assertThat(publicTopLevel).containsExactly("SluiceAutoConfiguration", "SluiceProperties");
  }

  @Test
  void autoConfigurationIsFinalWithNoPublicMembers() {
    JavaClass auto = MAIN.get(SluiceAutoConfiguration.class);
    assertThat(auto.getModifiers()).contains(JavaModifier.FINAL);
    assertThat(auto.getMembers())
        .noneMatch(member -> member.getModifiers().contains(JavaModifier.PUBLIC));
  }

  @Test
  void noStandardStreamsAndNoJavaUtilLogging() {
    GeneralCodingRules.NO_CLASSES_SHOULD_ACCESS_STANDARD_STREAMS.check(MAIN);
    GeneralCodingRules.NO_CLASSES_SHOULD_USE_JAVA_UTIL_LOGGING.check(MAIN);
  }
}
