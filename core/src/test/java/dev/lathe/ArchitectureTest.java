package dev.lathe;

import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * docs/ARCHITECTURE.md's package layering holds in the core's compiled classes (ArchUnit reads the
 * bytecode, so fully qualified names in the code count as much as imports), every core package has a
 * place in it, and the document's Packages table lists exactly {@link Layering#PACKAGES} in that order.
 */
class ArchitectureTest {
    private static final JavaClasses CLASSES = Layering.importMainClasses();

    @TestFactory Stream<DynamicTest> noPackagePointsUpTheList() {
        return Layering.rules(CLASSES);
    }

    /** A new package must be placed in the list (and the table), or nothing would check its dependencies. */
    @Test void everyPackageHasAPlaceInTheList() {
        assertThat(CLASSES).as("classes imported").hasSizeGreaterThan(100);
        List<String> unplaced = CLASSES.stream().filter(c -> Layering.layerOf(c) == null).map(JavaClass::getName).toList();
        assertThat(unplaced).as("classes in packages that docs/ARCHITECTURE.md's Packages table and Layering.PACKAGES do not list").isEmpty();
    }

    /** The document and the enforced order are one list: a row moved or added in one must be in the other. */
    @Test void theDocumentListsTheEnforcedOrder() throws IOException {
        assertThat(documentedPackages(architectureDoc())).as("packages in docs/ARCHITECTURE.md's Packages table, top to bottom")
                .containsExactlyElementsOf(Layering.PACKAGES);
    }

    /** The package of each row of the Packages table, in order; rows continuing one package (runtime's int8 rows) count once. */
    static List<String> documentedPackages(Path doc) throws IOException {
        List<String> out = new ArrayList<>();
        boolean inTable = false;
        Pattern row = Pattern.compile("^\\| `(dev\\.lathe\\.[a-z.]+)`");
        for (String line : Files.readAllLines(doc)) {
            if (line.startsWith("## ")) {
                if (inTable) break;
                inTable = line.startsWith("## Packages");
                continue;
            }
            Matcher m = row.matcher(line);
            if (inTable && m.find() && (out.isEmpty() || !out.getLast().equals(m.group(1)))) out.add(m.group(1));
        }
        return out;
    }

    /** The repository's docs/ARCHITECTURE.md, found from the module directory surefire runs in. */
    private static Path architectureDoc() {
        for (Path d = Path.of("").toAbsolutePath(); d != null; d = d.getParent()) {
            Path doc = d.resolve("docs/ARCHITECTURE.md");
            if (Files.isRegularFile(doc)) return doc;
        }
        throw new AssertionError("docs/ARCHITECTURE.md not found above " + Path.of("").toAbsolutePath());
    }
}
