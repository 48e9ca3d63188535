package dev.lathe;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;

/**
 * The package layering of docs/ARCHITECTURE.md ("Packages": dependencies point down the list, nothing
 * points up) as ArchUnit rules, one per package. Core's {@link ArchitectureTest} checks core's classes
 * and that the document lists this order; the CLI module's {@code ModuleLayeringTest} checks the
 * classes of all four modules with the same list (it reaches this class through core's test jar).
 */
public final class Layering {
    private Layering() {}

    /**
     * Top to bottom: a package may depend on the packages after it, never on one before it. Where two
     * packages do not depend on each other the lower place is the one that forbids more (runtime sits
     * just above nn: the inference path needs nothing from training, models or data).
     */
    public static final List<String> PACKAGES = Stream.of(
            "cli", "labs", "plot",           // the CLI module: commands on top of the course labs on top of charts
            "onnx", "sources",               // lathe-onnx and lathe-data, each on the core only
            "predict",                       // the embedding API: checkpoint + model spec -> a runtime session
            "codegen", "compress",           // C export of runtime plans; pruning with retraining
            "train", "models", "optim", "data",
            "runtime",                       // frozen plans and sessions, fp32 and int8
            "ir",                            // the inference IR: op records, the lowering from nn, passes, the reference interpreter
            "nn", "io", "autograd", "tensor", "kernels")
            .map(p -> "dev.lathe." + p).toList();

    /** Compiled main classes only: test classes (a module's own, and core's test jar on the CLI's path) may reach anywhere. */
    private static final ImportOption MAIN_ONLY = location -> !location.contains("/test-classes/") && !location.matches(Pattern.compile(".*-tests\\.jar.*"));

    /** Every main class under dev.lathe on this test's class path. */
    public static JavaClasses importMainClasses() {
        return new ClassFileImporter().withImportOption(MAIN_ONLY).importPackages("dev.lathe");
    }

    /** The listed package a class belongs to (a subpackage belongs to its parent), or null if none. */
    public static String layerOf(JavaClass c) {
        String p = c.getPackageName();
        for (String layer : PACKAGES) if (p.equals(layer) || p.startsWith(layer + ".")) return layer;
        return null;
    }

    /** The rule for one listed package: none of its classes depends on a class of a package listed above it. */
    public static ArchRule rule(String layer) {
        int at = PACKAGES.indexOf(layer);
        List<String> above = PACKAGES.subList(0, at), below = PACKAGES.subList(at + 1, PACKAGES.size());
        String[] patterns = above.stream().map(p -> p + "..").toArray(String[]::new);
        return noClasses().that().resideInAPackage(layer + "..")
                .should().dependOnClassesThat().resideInAnyPackage(patterns)
                .as(layer + " depends only on the packages below it in docs/ARCHITECTURE.md's Packages table ("
                        + (below.isEmpty() ? "none" : String.join(", ", below.stream().map(Layering::shortName).toList())) + ")");
    }

    /**
     * One test per listed package that has classes here and packages above it (the top one has nothing it
     * could point up to); a violation names the class, member, target and source line.
     */
    public static Stream<DynamicTest> rules(JavaClasses classes) {
        return PACKAGES.stream().skip(1)
                .filter(layer -> classes.stream().anyMatch(c -> layer.equals(layerOf(c))))
                .map(layer -> DynamicTest.dynamicTest(shortName(layer) + " depends only on packages below it", () -> rule(layer).check(classes)));
    }

    private static String shortName(String pkg) { return pkg.substring("dev.lathe.".length()); }
}
