package dev.sluice.spring.versions;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Issue 22: users were told to override Boot's managed sqlite-jdbc and HikariCP. This module runs
 * the auto-configuration's tests on exactly the versions Boot's BOM manages; this test fails when
 * the versions on its class path drift from the BOM's (a Boot upgrade), so the run stays honest.
 */
class BootManagedVersionsTest {

  @Test
  void theClassPathHasTheVersionsBootManages() throws IOException {
    String bom = Files.readString(Path.of(System.getProperty("boot.bom")));
    assertThat(runtimeVersion("org.xerial", "sqlite-jdbc"))
        .isEqualTo(bomProperty(bom, "sqlite-jdbc.version"));
    assertThat(runtimeVersion("com.zaxxer", "HikariCP"))
        .isEqualTo(bomProperty(bom, "hikaricp.version"));
  }

  private static String bomProperty(String bom, String name) {
    Matcher m = Pattern.compile("<" + Pattern.quote(name) + ">([^<]+)</").matcher(bom);
    assertThat(m.find()).as(name + " in Boot's BOM").isTrue();
    return m.group(1);
  }

  private static String runtimeVersion(String group, String artifact) throws IOException {
    String resource = "/META-INF/maven/" + group + "/" + artifact + "/pom.properties";
    try (InputStream in = BootManagedVersionsTest.class.getResourceAsStream(resource)) {
      assertThat(in).as(resource).isNotNull();
      Properties p = new Properties();
      p.load(in);
      return p.getProperty("version");
    }
  }
}
