package dev.lathe.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import dev.lathe.Layering;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * docs/ARCHITECTURE.md's package layering across the modules: here the class path holds the main
 * classes of core, onnx, data and cli, so the rules also cover cli -> labs -> plot on top of onnx and
 * sources, and that neither onnx nor sources reaches into the CLI. Core's ArchitectureTest checks the
 * core alone and that the document lists {@link Layering#PACKAGES}.
 */
class ModuleLayeringTest {
    private static final JavaClasses CLASSES = Layering.importMainClasses();

    @TestFactory Stream<DynamicTest> noPackagePointsUpTheList() {
        return Layering.rules(CLASSES);
    }

    /** With every module on the path, each listed package has classes (no stale row) and each class a listed package. */
    @Test void theListAndTheModulesNameTheSamePackages() {
        List<String> empty = Layering.PACKAGES.stream().filter(p -> CLASSES.stream().noneMatch(c -> p.equals(Layering.layerOf(c)))).toList();
        assertThat(empty).as("packages in Layering.PACKAGES with no main class in any module").isEmpty();
        List<String> unplaced = CLASSES.stream().filter(c -> Layering.layerOf(c) == null).map(JavaClass::getName).toList();
        assertThat(unplaced).as("classes in packages that Layering.PACKAGES does not list").isEmpty();
    }
}
